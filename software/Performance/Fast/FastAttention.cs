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
    /// <summary>The tiles of one head's QKᵀ+Softmax and P·V as <c>AttentionHeads</c> lowers them, or null when it would not.</summary>
    public static (int QkTiles, int PvTiles)? Heads(WorkTally qk, WorkTally pv, DesignModel d, MemoryPlan plan, int n, int dh, bool causal)
    {
        if (KernelGeometry.AttentionHeads(d, plan, n, dh, late: false) is not { } g)
        {
            return null;
        }

        var (bd, tm, tp) = (g.DimBlocks, g.Tm, g.Tp);
        var (qTiles, pTiles) = (g.QkTiles, g.PvTiles);

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

            qk.ComputeOs(g.QkBlocks(m0, mt, causal), mt, dh, overwrite: true, bankConflict: false);
            qk.Normalizes(1, mt, g.NormalizeWidth(m0, mt, causal), NormalizeFunc.Softmax);
        }

        // V once (issued with the next head's scores), then per tile P's (unmasked) chunks, the computes and the stores.
        foreach (var (cols, count) in FastGemm.Pieces(dh, d.Cols))
        {
            pv.Loads(count, n, cols, LoadTarget.Scratchpad);
        }

        for (var (m0, t) = (0, 0); m0 < n; m0 += tp, t++)
        {
            var mt = Math.Min(tp, n - m0);
            var chunks = g.PvChunks(t, causal);
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
