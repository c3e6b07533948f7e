using HwGen.Generator.Design;

namespace HwGen.Software.Compiler;

/// <summary>
/// The shapes the compiler derives from the memory plan for the kernels that do not go through a GEMM tiling search: the
/// LayerNorm's row tiles, the output-stationary residual GEMM's subtiles and buffers, and the per-head attention's tiles.
/// Defined once: <see cref="PhaseBuilder"/> emits its instructions from them and the fast estimator
/// (<c>Performance/Fast</c>) counts its work from them, so the two cannot drift apart.
/// </summary>
internal static class KernelGeometry
{
    /// <summary>Sequences up to this long take the grouped (or GEMM) attention lowering, not the per-head one.</summary>
    public const int GroupedAttentionMaxSeq = 64;

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;

    /// <summary>
    /// LayerNorm of an m × n tensor through the identity: m-tiles of <c>Tm</c> rows (up to 64) in <c>Buffers</c>
    /// accumulator buffers (two when the accumulator holds two, so the next tile enters while this one is normalized).
    /// </summary>
    /// <exception cref="ArgumentException">A row does not fit.</exception>
    public static (int Tm, int Buffers) LayerNormTiles(DesignModel d, MemoryPlan plan, int m, int n)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(plan);
        var blocks = CeilDiv(n, d.Cols);
        var chunksPerBlock = CeilDiv(d.Cols, d.Rows);
        var buffers = plan.BufferTop / (2 * blocks) >= 1 ? 2 : 1;
        var tmMax = Math.Min(64, Math.Min(plan.BufferTop / (buffers * blocks), (plan.Banked ? plan.BankRows : plan.SpHalf) / (blocks * chunksPerBlock)));
        if (tmMax < 1)
        {
            throw new ArgumentException(plan.RowTooWide(n, blocks, false, plan.BufferTop));
        }

        return (CeilDiv(m, CeilDiv(m, tmMax)), buffers);
    }

    /// <summary>The output-stationary residual GEMM's geometry (see <c>PhaseBuilder.ResidualGemmOs</c>).</summary>
    /// <param name="Blocks">Column blocks of N.</param>
    /// <param name="Sub">Rows of a subtile (ROWS, or fewer when the accumulator cannot hold them with their residual).</param>
    /// <param name="Banked">Aᵀ and B in their own banks (four banks and K within a bank).</param>
    /// <param name="ABuffers">Unbanked: Aᵀ buffers at the top of the scratchpad (two when they leave room for B).</param>
    /// <param name="Half">Unbanked: rows of each of the two B halves below them.</param>
    /// <param name="PerPhase">B blocks a phase loads.</param>
    /// <param name="ResidualRows">Scratchpad rows of a subtile's residual.</param>
    /// <param name="Subtiles">Subtiles an m-tile holds (two when the accumulator and an A bank hold both).</param>
    public sealed record ResidualOsShape(int Blocks, int Sub, bool Banked, int ABuffers, int Half, int PerPhase, int ResidualRows, int Subtiles)
    {
        /// <summary>Rows of an m-tile.</summary>
        public int TileM => Subtiles * Sub;

        /// <summary>Accumulator rows of one subtile's output.</summary>
        public int XRows => Blocks * Sub;
    }

    /// <summary>The residual GEMM's output-stationary geometry, or null when the phase builder falls back to weight-stationary.</summary>
    public static ResidualOsShape? ResidualOs(DesignModel d, MemoryPlan plan, int m, int n, int k)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(plan);
        var blocks = CeilDiv(n, d.Cols);
        var sub = Math.Min(m, Math.Min(d.Rows, plan.BufferTop / (2 * blocks)));
        if (!d.SupportOs || sub < 1 || blocks > plan.BiasCap || d.SpRowBytes < d.Rows)
        {
            return null;
        }

        // plan.Banked: Aᵀ of even/odd tiles in the A banks of halves 0/1, the B blocks of a phase in its half's B banks, so
        // port A (Aᵀ) and port B (B) never meet in one bank. Otherwise: Aᵀ at the top, two B halves below.
        var banked = plan.Banked && k <= plan.BankRows && k <= plan.BankedB(1).Size;
        var aBuffers = banked ? 2 : (plan.IdentityRow - (2 * k)) / 2 >= k ? 2 : 1;
        var half = (plan.IdentityRow - (aBuffers * k)) / 2;
        var perPhase = Math.Min(blocks, (banked ? plan.BankedB(1).Size : half) / k);
        var residualRows = blocks * CeilDiv(d.Cols, d.Rows) * sub;
        if (perPhase < 1 || residualRows > (banked ? plan.BankRows : half))
        {
            return null;
        }

        // Two subtiles when the accumulator holds both outputs and both residuals, and an A bank both Aᵀ and both residuals.
        var subtiles = banked && m > sub && 4 * blocks * sub <= plan.BufferTop && 2 * (k + residualRows) <= plan.BankRows ? 2 : 1;
        return new ResidualOsShape(blocks, sub, banked, aBuffers, half, perPhase, residualRows, subtiles);
    }

    /// <summary>The per-head attention's geometry (see <c>PhaseBuilder.AttentionHeads</c>).</summary>
    /// <param name="Seq">Tokens (queries and keys).</param>
    /// <param name="Rows">The array's rows (ROWS).</param>
    /// <param name="Cols">The array's columns (COLS).</param>
    /// <param name="KeyBlocks">Key blocks of COLS keys.</param>
    /// <param name="DimChunks">Head-dimension chunks of ROWS (k of QKᵀ).</param>
    /// <param name="KeyChunks">Key chunks of ROWS (k of P·V).</param>
    /// <param name="DimBlocks">Head-dimension blocks of COLS (n of P·V).</param>
    /// <param name="KRows">Scratchpad rows of a head's Kᵀ.</param>
    /// <param name="KSlots">Kᵀ slots (two heads' Kᵀ when the bank holds them).</param>
    /// <param name="Tm">Queries of a QKᵀ tile (ROWS).</param>
    /// <param name="ScoreRows">Accumulator rows of a score buffer.</param>
    /// <param name="Tp">Queries of a P·V tile (up to 64).</param>
    public sealed record AttentionHeadsShape(int Seq, int Rows, int Cols, int KeyBlocks, int DimChunks, int KeyChunks, int DimBlocks, int KRows, int KSlots, int Tm, int ScoreRows,
        int Tp)
    {
        /// <summary>QKᵀ tiles.</summary>
        public int QkTiles => CeilDiv(Seq, Tm);

        /// <summary>P·V tiles.</summary>
        public int PvTiles => CeilDiv(Seq, Tp);

        /// <summary>Key blocks a QKᵀ tile of rows m0..m0+mt−1 computes (causal: up to its last query).</summary>
        public int QkBlocks(int m0, int mt, bool causal) => causal ? Math.Min(KeyBlocks, ((m0 + mt - 1) / Cols) + 1) : KeyBlocks;

        /// <summary>Chunks of P (ROWS columns each) P·V tile <paramref name="p"/> reads (causal: up to its last query).</summary>
        public int PvChunks(int p, bool causal) => causal ? Math.Min(KeyChunks, ((Math.Min(Seq, (p + 1) * Tp) - 1) / Rows) + 1) : KeyChunks;

        /// <summary>
        /// Columns of P a Softmax normalize of rows m0..m0+mt−1 spans: causal, those the P·V tile holding its last row reads
        /// (the masked columns past them are never written or read); otherwise the whole row.
        /// </summary>
        public int NormalizeWidth(int m0, int mt, bool causal) => causal ? Math.Min(Seq, PvChunks((m0 + mt - 1) / Tp, true) * Rows) : Seq;
    }

    /// <summary>
    /// The per-head attention's geometry, or null where that lowering does not apply: sequences of at most
    /// <see cref="GroupedAttentionMaxSeq"/> tokens (unless <paramref name="late"/>), designs without four scratchpad banks or
    /// the output-stationary dataflow, a late Softmax whose two heads of rows exceed the row-scale memory, Kᵀ or V of a head
    /// larger than its bank, or an accumulator that cannot hold the buffers.
    /// </summary>
    public static AttentionHeadsShape? AttentionHeads(DesignModel d, MemoryPlan plan, int n, int dh, bool late)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(plan);
        var (bs, cd, cs, bd) = (CeilDiv(n, d.Cols), CeilDiv(dh, d.Rows), CeilDiv(n, d.Rows), CeilDiv(dh, d.Cols));
        if ((n <= GroupedAttentionMaxSeq && !late) || !plan.Banked || !d.SupportOs || (late && 2 * n > Generator.Isa.IsaSpec.RowScaleSlots))
        {
            return null;
        }

        var kRows = bs * cd * d.Rows;
        var kArea = plan.BankedB(0).Size;
        if (kRows > kArea || bd * n > plan.BankedB(1).Size)
        {
            return null;
        }

        // Accumulator: two score buffers of ROWS queries, then two P·V output buffers of up to 64 queries.
        var tm = Math.Min(d.Rows, n);
        var scoreRows = tm * bs;
        var tpMax = Math.Min(64, Math.Min((plan.GammaBetaRow - (2 * scoreRows)) / (2 * bd), plan.BankRows / (2 * cs)));
        return tpMax < 1 ? null
            : new AttentionHeadsShape(n, d.Rows, d.Cols, bs, cd, cs, bd, kRows, Math.Min(2, kArea / kRows), tm, scoreRows, CeilDiv(n, CeilDiv(n, tpMax)));
    }
}
