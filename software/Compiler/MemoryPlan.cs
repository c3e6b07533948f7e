using HwGen.Generator.Design;

namespace HwGen.Software.Compiler;

/// <summary>
/// The one memory plan: where every kernel (GEMM, row operations, graph phases), the token scheduler (relay row) and the
/// performance model (paired reads) find things in the scratchpad and the accumulator.
/// </summary>
/// <remarks>
/// <para>Accumulator, top down: the relay row (the last row, overwritten by relay computes, never read), γ/β
/// (2·<see cref="RowBlocks"/> rows, loaded once per LayerNorm), two bias areas (<see cref="RowBlocks"/> rows each, one
/// per scratchpad half), then the output buffers in [0, <see cref="BufferTop"/>), split into a lower and an upper
/// window. A kernel that reserves nothing (<see cref="RowBlocks"/> = 0) has two accumulator buffers of
/// <see cref="AccBufferRows"/> rows, one bank each with two banks, so the store unit reads one while the array writes
/// the other.</para>
/// <para>Scratchpad: double buffers with A and B in different banks wherever the banks allow. Streamed kernels (the
/// standalone GEMM) use four quarters: A in the lower half, B in the upper half. Phased kernels (graph GEMMs, the
/// residual through the identity) keep the identity in the top COLS rows and alternate phase by phase between two
/// halves below it, each with A at its bottom and B above, or, with four or more banks, A in the first bank of the
/// half and B in the others.</para>
/// </remarks>
public sealed class MemoryPlan
{
    private readonly DesignModel d;

    private MemoryPlan(DesignModel d, int rowBlocks, int affineRows, bool geluColumns)
    {
        this.d = d;
        RowBlocks = rowBlocks;
        AffineRows = affineRows;
        GeluColumns = geluColumns;
    }

    /// <summary>
    /// The plan for a design; <paramref name="rowBlocks"/> (COLS-wide blocks of the widest LayerNorm or bias row) sizes
    /// the γ/β and bias areas, 0 when the kernel keeps none. <paramref name="affineRows"/> rows per block hold γ/β (3 in
    /// the LayerNorm unit's column mode); <paramref name="geluColumns"/> adds two areas for the per-column GELU constants
    /// (two rows per bias block, one area per scratchpad half).
    /// </summary>
    public static MemoryPlan For(DesignModel d, int rowBlocks = 0, int affineRows = 2, bool geluColumns = false)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentOutOfRangeException.ThrowIfNegative(rowBlocks);
        ArgumentOutOfRangeException.ThrowIfLessThan(affineRows, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(affineRows, 3);
        return new MemoryPlan(d, rowBlocks, affineRows, geluColumns);
    }

    /// <summary>Accumulator rows per block of γ/β: 2, or 3 in the LayerNorm unit's column mode (γ with m, β, A).</summary>
    public int AffineRows { get; }

    /// <summary>True when the plan keeps the per-column GELU constants of <c>store func=gelu_col</c>.</summary>
    public bool GeluColumns { get; }

    /// <summary>COLS-wide blocks of the widest γ/β or bias row the plan reserves.</summary>
    public int RowBlocks { get; }

    /// <summary>The accumulator row relay computes overwrite (the last one); no kernel keeps data there.</summary>
    public int Relay => d.AccDepth - 1;

    /// <summary>First accumulator row of γ/β (γ block b at +2b, β at +2b+1; column mode: +3b, +3b+1, A at +3b+2).</summary>
    public int GammaBetaRow => Relay - (AffineRows * RowBlocks);

    /// <summary>
    /// First accumulator row of the per-column GELU constants that go with scratchpad half <paramref name="half"/> (two rows
    /// per block of a phase's column group), when <see cref="GeluColumns"/>.
    /// </summary>
    public int GeluColumnsRow(int half) => GammaBetaRow - ((half + 1) * 2 * BiasCap);

    /// <summary>Rows of each bias area.</summary>
    public int BiasCap => RowBlocks;

    /// <summary>First accumulator row of the bias area that goes with scratchpad half <paramref name="half"/>.</summary>
    public int BiasRow(int half) => GammaBetaRow - (GeluColumns ? 4 * BiasCap : 0) - ((half + 1) * BiasCap);

    /// <summary>Accumulator rows [0, this) hold output buffers.</summary>
    public int BufferTop => BiasRow(1);

    /// <summary>Output rows of the lower window (the attention scores of one head).</summary>
    public (int Lo, int Hi) LowerWindow => (0, BufferTop / 2);

    /// <summary>Output rows of the upper window (P·V of the other head).</summary>
    public (int Lo, int Hi) UpperWindow => (BufferTop / 2, BufferTop);

    /// <summary>
    /// The accumulator windows of the head-by-head attention lowering: the scores (QKᵀ+Softmax, whole rows of
    /// <paramref name="seq"/> keys per query) and the P·V outputs (<paramref name="headDim"/> columns per query).
    /// <see cref="LowerWindow"/> and <see cref="UpperWindow"/> when the lower one holds two score buffers of
    /// min(<paramref name="queries"/>, ROWS) queries. Longer sequences take every row below γ/β (the bias and GELU
    /// constants areas are reloaded by each GEMM that uses them, so attention may overwrite them): P·V gets two buffers
    /// of the tallest of 64, 32 or 16 queries that leaves the scores two buffers of ROWS queries (16 when none does), the
    /// scores the rest (when that is more than the lower window).
    /// </summary>
    public ((int Lo, int Hi) Scores, (int Lo, int Hi) Outputs) AttentionWindows(int seq, int headDim, int queries)
    {
        var (seqBlocks, headBlocks) = ((seq + d.Cols - 1) / d.Cols, (headDim + d.Cols - 1) / d.Cols);
        var want = Math.Min(queries, d.Rows);
        if (LowerWindow.Hi / (2 * seqBlocks) >= want)
        {
            return (LowerWindow, UpperWindow);
        }

        var top = GammaBetaRow;
        var outRows = 2 * 16 * headBlocks;
        foreach (var tile in new[] { 64, 32 })
        {
            if (top - (2 * tile * headBlocks) >= 2 * want * seqBlocks)
            {
                outRows = 2 * tile * headBlocks;
                break;
            }
        }

        // Only when that gives the scores more rows than the lower window (a tiny design may not).
        return top - outRows > LowerWindow.Hi ? ((0, top - outRows), (top - outRows, top)) : (LowerWindow, UpperWindow);
    }

    /// <summary>Rows of each of the two accumulator buffers of a kernel that reserves nothing (ACC_DEPTH/2).</summary>
    public int AccBufferRows => d.AccDepth / 2;

    /// <summary>First accumulator row of buffer <paramref name="buffer"/> (0 or 1).</summary>
    public int AccBuffer(int buffer) => buffer * AccBufferRows;

    /// <summary>Rows of each of the four scratchpad quarters of a streamed kernel (SP_DEPTH/4).</summary>
    public int SpBufferRows => d.SpDepth / 4;

    /// <summary>First scratchpad row of A buffer <paramref name="buffer"/> (0 or 1) of a streamed kernel.</summary>
    public int ABuffer(int buffer) => buffer * SpBufferRows;

    /// <summary>First scratchpad row of B buffer <paramref name="buffer"/> (0 or 1) of a streamed kernel.</summary>
    public int BBuffer(int buffer) => (2 + buffer) * SpBufferRows;

    /// <summary>First scratchpad row of the identity (the top COLS rows) of a phased kernel.</summary>
    public int IdentityRow => d.SpDepth - d.Cols;

    /// <summary>Rows of each scratchpad half below the identity.</summary>
    public int SpHalf => IdentityRow / 2;

    /// <summary>
    /// With four or more scratchpad banks, each half is a group of banks: A (streamed on read port A) in its first
    /// bank, B (preloaded on port B) in the others, so a preload is never refused because A reads the same bank.
    /// </summary>
    public bool Banked => d.SpBanks >= 4;

    /// <summary>Rows of one scratchpad bank.</summary>
    public int BankRows => d.SpDepth / d.SpBanks;

    /// <summary>First row of the A bank of half <paramref name="half"/> (banked plan).</summary>
    public int BankedA(int half) => half * (d.SpBanks / 2) * BankRows;

    /// <summary>First row and size of the B banks of half <paramref name="half"/> (banked plan).</summary>
    public (int Base, int Size) BankedB(int half)
    {
        var first = BankedA(half) + BankRows;
        var end = (half + 1) * (d.SpBanks / 2) * BankRows;
        return (first, Math.Min(end, IdentityRow) - first);
    }

    /// <summary>
    /// True when every accumulator row of x (first row xRow) and of the residual (residualRow) of a normalize spanning
    /// span rows lie in different banks (each range inside one bank), so the store unit reads a block's x and residual
    /// in one cycle (LayerNorm, add). Kernels place residuals by it.
    /// </summary>
    public static bool PairedReads(DesignModel d, long xRow, long residualRow, long span)
    {
        ArgumentNullException.ThrowIfNull(d);
        var bankRows = d.AccDepth / d.AccBanks;
        long Bank(long row) => row / bankRows;
        return span >= 1 && d.AccBanks > 1 && Bank(xRow) == Bank(xRow + span - 1) && Bank(residualRow) == Bank(residualRow + span - 1)
               && Bank(xRow) != Bank(residualRow);
    }

    /// <summary>
    /// The fraction of the span accumulator rows of x (from xRow) whose residual row (from residualRow, same offset) lies
    /// in the same bank: the store unit reads those blocks' residual the cycle after x (0 when <see cref="PairedReads"/>).
    /// </summary>
    public static double SharedBankFraction(DesignModel d, long xRow, long residualRow, long span)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (span <= 0)
        {
            return 0;
        }

        var bankRows = d.AccDepth / d.AccBanks;
        if (d.AccBanks < 2)
        {
            return 1;
        }

        long shared = 0;
        for (long i = 0; i < span;)
        {
            // a stretch in which neither row crosses a bank boundary
            var step = Math.Min(span - i, Math.Min(bankRows - ((xRow + i) % bankRows), bankRows - ((residualRow + i) % bankRows)));
            shared += (xRow + i) / bankRows == (residualRow + i) / bankRows ? step : 0;
            i += step;
        }

        return (double)shared / span;
    }

    /// <summary>
    /// Where the residual of an output at <paramref name="xRow"/> (span rows) goes: at the start of the next accumulator
    /// bank when that keeps it below <paramref name="top"/> (the store unit then reads x and the residual in one cycle),
    /// else right after the output.
    /// </summary>
    public int ResidualRowFor(int xRow, int span, int top)
    {
        var bankRows = d.AccDepth / d.AccBanks;
        var next = ((xRow / bankRows) + 1) * bankRows;
        return next + span <= top && PairedReads(d, xRow, next, span) ? next : xRow + span;
    }

    /// <summary>The error for a row that needs <paramref name="rowsPerToken"/> accumulator rows per token when only <paramref name="left"/> are free.</summary>
    internal string RowTooWide(int n, int rowsPerToken, bool withResidual, int left) =>
        $"a row of {n} elements needs {rowsPerToken} accumulator rows per token{(withResidual ? " (output and residual)" : string.Empty)}, but design '{d.Name}' " +
        $"has {left} of its {d.AccDepth} accumulator rows left after γ/β ({AffineRows * RowBlocks}){(GeluColumns ? $", column constants ({4 * BiasCap})" : string.Empty)}, two bias areas ({2 * BiasCap}) and the relay row (accumulator.kib or array.cols must grow)";
}
