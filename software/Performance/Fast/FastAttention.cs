using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;

namespace HwGen.Software.Performance.Fast;

/// <summary>
/// The work of one head of the long-attention lowering (<c>PhaseBuilder.AttentionHeads</c>: output-stationary QKᵀ in
/// tiles of ROWS queries over the head's Kᵀ loaded once, weight-stationary P·V in tiles of up to 64 queries), under the
/// same conditions; the per-head GEMM lowering otherwise (<see cref="FastGemm.Ws"/> in the attention windows).
/// </summary>
internal static class FastAttention
{
    private const int GroupedAttentionMaxSeq = 64; // as PhaseBuilder

    /// <summary>The tiles of one head's QKᵀ+Softmax and P·V as <c>AttentionHeads</c> lowers them, or null when it would not.</summary>
    public static (int QkTiles, int PvTiles)? Heads(WorkTally qk, WorkTally pv, DesignModel d, MemoryPlan plan, int n, int dh, bool causal)
    {
        static int CeilDiv(int a, int b) => (a + b - 1) / b;
        var (bs, cd, cs, bd) = (CeilDiv(n, d.Cols), CeilDiv(dh, d.Rows), CeilDiv(n, d.Rows), CeilDiv(dh, d.Cols));
        if (n <= GroupedAttentionMaxSeq || !plan.Banked || !d.SupportOs)
        {
            return null;
        }

        var kRows = bs * cd * d.Rows;
        if (kRows > plan.BankedB(0).Size || bd * n > plan.BankedB(1).Size)
        {
            return null;
        }

        var tm = Math.Min(d.Rows, n);
        var scoreRows = tm * bs;
        var tpMax = Math.Min(64, Math.Min((plan.GammaBetaRow - (2 * scoreRows)) / (2 * bd), plan.BankRows / (2 * cs)));
        if (tpMax < 1)
        {
            return null;
        }

        var tp = CeilDiv(n, CeilDiv(n, tpMax));
        var (qTiles, pTiles) = (CeilDiv(n, tm), CeilDiv(n, tp));

        // QKᵀ: Kᵀ once, Qᵀ per tile, one output-stationary compute per (unmasked) key block, a Softmax normalize per tile.
        foreach (var (kc, count) in FastGemm.Pieces(dh, d.Rows))
        {
            foreach (var (keys, kb) in FastGemm.Pieces(n, d.Cols))
            {
                qk.Loads(count * kb, keys, kc, LoadTarget.ScratchpadTransposed);
            }
        }

        qk.Configs(2);
        for (var m0 = 0; m0 < n; m0 += tm)
        {
            var mt = Math.Min(tm, n - m0);
            foreach (var (piece, count) in FastGemm.Pieces(dh, d.SpRowBytes))
            {
                qk.Loads(count, mt, piece, LoadTarget.ScratchpadTransposed);
            }

            qk.ComputeOs(causal ? Math.Min(bs, ((m0 + mt - 1) / d.Cols) + 1) : bs, mt, dh, overwrite: true, bankConflict: false);
            qk.Normalizes(1, mt, n, NormalizeFunc.Softmax);
        }

        // V once (issued with the next head's scores), then per tile P's (unmasked) chunks, the computes and the stores.
        foreach (var (cols, count) in FastGemm.Pieces(dh, d.Cols))
        {
            pv.Loads(count, n, cols, LoadTarget.Scratchpad);
        }

        for (var m0 = 0; m0 < n; m0 += tp)
        {
            var mt = Math.Min(tp, n - m0);
            var chunks = causal ? Math.Min(cs, ((m0 + mt - 1) / d.Rows) + 1) : cs;
            pv.Loads(chunks, mt, Math.Min(d.Rows, n), LoadTarget.Scratchpad);
            pv.ComputeWs(chunks * bd, mt, Math.Min(d.Rows, n), overwrite: false, bankConflict: false);
            pv.Configs(1);
            foreach (var (cols, count) in FastGemm.Pieces(dh, d.Cols))
            {
                pv.Stores(count, mt, cols, gelu: false);
            }
        }

        return (qTiles, pTiles);
    }
}
