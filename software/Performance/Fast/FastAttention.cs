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
    /// <summary>
    /// The heads of the long-attention lowering (<c>AttentionHeads</c>: QKᵀ+Softmax of head h+1 before P·V of head h), phase
    /// by phase on the program's timeline, or null when it would not apply. Returns the cycles of all heads' QKᵀ+Softmax
    /// and of all heads' P·V (the execute unit's time, attributed as the replay attributes it).
    /// </summary>
    public static (double Qk, double Pv)? Heads(WorkTally qk, WorkTally pv, FastTimeline tl, DesignModel d, PerfParameters p, MemoryPlan plan, int n, int dh, bool causal, int heads)
    {
        if (KernelGeometry.AttentionHeads(d, plan, n, dh, late: false) is not { } g)
        {
            return null;
        }

        var (bd, tm, tp) = (g.DimBlocks, g.Tm, g.Tp);
        var (qTiles, pTiles) = (g.QkTiles, g.PvTiles);
        var drain = 1 + Math.Max(0, (d.Rows / d.TileRows) + (d.Cols / d.TileCols) - 2) + d.Rows; // a WS stream waits for the last OS drain
        var vLoaded = new bool[heads];
        var written = new double[2, qTiles]; // when each score tile's P rows of heads h mod 2 are in DRAM (normalize done)
        var pWrite = p.MemoryLatency + p.WriteResponseExtra + 1;
        var pPhase = 0;
        double qkCycles = 0, pvCycles = 0;

        void VLoads(WorkTally w, int head)
        {
            vLoaded[head] = true;
            foreach (var (cols, count) in FastGemm.Pieces(dh, d.Cols))
            {
                w.Loads(count, n, cols, LoadTarget.Scratchpad);
            }
        }

        // QKᵀ: per tile Qᵀ (and the head's Kᵀ with the first, the previous head's V with the second), one output-stationary
        // compute per (unmasked) key block, a Softmax normalize into the tile's score buffer.
        void Scores(int head)
        {
            var before = tl.ComputeEnd;
            for (var t = 0; t < qTiles; t++)
            {
                var (m0, slot) = (t * tm, (qTiles - 1 - t) % 2);
                var mt = Math.Min(tm, n - m0);
                qk.Timed(0);
                foreach (var (piece, count) in FastGemm.Pieces(dh, d.SpRowBytes))
                {
                    qk.Loads(count, mt, piece, LoadTarget.ScratchpadTransposed);
                }

                var lead = qk.SinceSegment.L; // Qᵀ: what the tile's first compute reads before its key block
                if (t == 0)
                {
                    foreach (var (kc, count) in FastGemm.Pieces(dh, d.Rows))
                    {
                        foreach (var (keys, kb) in FastGemm.Pieces(n, d.Cols))
                        {
                            qk.Loads(count * kb, keys, kc, LoadTarget.ScratchpadTransposed, streamed: true);
                        }
                    }
                }

                qk.ComputeOs(g.QkBlocks(m0, mt, causal), mt, dh, overwrite: true, bankConflict: false);
                var (lo, hi) = (slot * g.ScoreRows, (slot + 1) * g.ScoreRows);
                // The first tile's computes read the head's Kᵀ key block by key block as it arrives (one Kᵀ slot: the next
                // head's loads wait for this head's end).
                tl.Step(qk, waits: true, lo, hi, serial: t == 0 && g.KSlots == 1, activation: true,
                    streamed: t == 0 ? (lead, (n + d.Cols - 1) / d.Cols, 1) : default);
                if (head >= 1 && !vLoaded[head - 1] && (t == 1 || qTiles == 1))
                {
                    // The previous head's V goes after the tile's Qᵀ; its P·V, not this tile, reads it.
                    VLoads(qk, head - 1);
                    tl.Trailing(qk);
                }

                qk.Timed(0);
                qk.Configs(t == 0 ? 2 : 0);
                qk.Normalizes(1, mt, g.NormalizeWidth(m0, mt, causal), NormalizeFunc.Softmax);
                tl.Stored(qk, lo, hi);
                written[head % 2, t] = tl.StoreEnd + pWrite;
            }

            qkCycles += tl.ComputeEnd - before;
        }

        // P·V: per tile P's (unmasked) chunks (and the head's V when not loaded yet), the weight-stationary computes behind
        // the last output-stationary drain, the stores from the tile's output buffer.
        void Outputs(int head)
        {
            var before = tl.ComputeEnd;
            for (var t = 0; t < pTiles; t++)
            {
                var (m0, slot) = (t * tp, pPhase++ % 2);
                var mt = Math.Min(tp, n - m0);
                var chunks = g.PvChunks(t, causal);
                pv.Timed(0);
                pv.Loads(chunks, mt, Math.Min(d.Rows, n), LoadTarget.Scratchpad);
                var serial = !vLoaded[head]; // V's one slot: the last head's V waits for the previous head's P·V
                if (serial)
                {
                    VLoads(pv, head);
                }

                pv.ComputeWs(chunks * bd, mt, Math.Min(d.Rows, n), overwrite: false, bankConflict: false);
                pv.Wait(t == 0 ? drain : 0);
                // P's rows are read from DRAM once the normalizes that write them have finished.
                for (var q = 0; q * tm < m0 + mt; q++)
                {
                    tl.LoadEnd = Math.Max(tl.LoadEnd, written[head % 2, q]);
                }

                var lo = (2 * g.ScoreRows) + (slot * tp * bd);
                // Each chunk's bd computes read only its P chunk, so they follow the chunks as they arrive. (The last head's V
                // is read block by block too, but streaming it leaves the replay's stall of that head's second tile, behind
                // its P chunks paced by the first tile's computes, unaccounted: bert-tiny's P·V goes to −2.2 %.)
                tl.Step(pv, waits: true, lo, lo + (tp * bd), serial: serial, activation: true, streamed: serial ? default : (0, chunks, bd));
                pv.Timed(0);
                pv.Configs(1);
                foreach (var (cols, count) in FastGemm.Pieces(dh, d.Cols))
                {
                    pv.Stores(count, mt, cols, gelu: false);
                }

                tl.Stored(pv, lo, lo + (tp * bd));
                tl.LastRows = (m0, m0 + mt);
            }

            pvCycles += tl.ComputeEnd - before;
        }

        Scores(0);
        for (var head = 0; head < heads; head++)
        {
            if (head + 1 < heads)
            {
                Scores(head + 1);
            }

            Outputs(head);
        }

        return (qkCycles, pvCycles);
    }
}
