using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;

namespace HwGen.Software.Performance.Fast;

/// <summary>
/// One head's QKᵀ+Softmax or P·V in the per-head GEMM lowering (<c>GraphCompiler.Attention</c>: a graph GEMM in the
/// attention windows, when the long-attention lowering does not apply), step by step on the program's timeline as
/// <see cref="FastGemm.Ws"/> times a GEMM, with what the replay shows for these GEMMs (docs/explore.md, "The fast estimator"):
/// <list type="bullet">
/// <item>The Softmax normalize (and the P·V stores) read the rows of the tile's last compute, so when the next step's
/// loads hold that compute back (a full load queue) the epilogue moves with it, and is dispatched only once the load unit
/// takes the load the queue's depth before the last of them (<see cref="FastTimeline.Stored"/> with <c>follows</c>); the
/// next tile's computes wait for its accumulator rows.</item>
/// <item>Kᵀ's transposed blocks are read a whole step after they are loaded and each gathers its rows while the one
/// before is written out (<see cref="WorkTally.Loads"/> with <c>streamed</c>).</item>
/// <item>Every operand was written by a store, so the first load after each compute of the step before pops its token
/// (<c>popped</c>: a cycle of the load unit, hidden behind the outstanding bursts' wait on tiny).</item>
/// <item>The loads are streams of DRAM rows (<see cref="WorkTally.RowStreams"/>); when those are latency-bound (tiny), a fetch
/// burst costs them <see cref="WorkTally.FetchShare"/> of its beats, for the instructions among them in program order: the
/// loads and the computes of the step before (<see cref="WorkTally.FetchWithNextLoads"/>). A step of few computes (the last
/// k-step of a score tile) leaves the next step's loads few fetch bursts.</item>
/// <item>A P·V step whose computes wait for their loads preloads its first weights (V, its last load) before it streams
/// (<see cref="FastTimeline.Delay"/>).</item>
/// </list>
/// </summary>
internal static class FastAttentionGemm
{
    /// <summary>
    /// The GEMM of <paramref name="m"/> × <paramref name="n"/> × <paramref name="k"/> (Bᵀ loaded transposed when
    /// <paramref name="transposedB"/>, no bias) with <paramref name="epilogue"/>, its accumulator buffers from row
    /// <paramref name="lo"/> in <paramref name="span"/> rows. With <paramref name="relay"/> the computes of its last step
    /// (among which the next operation's first loads go) also wait for the epilogue that last read those accumulator rows.
    /// Returns the cycles it moves the array's end.
    /// </summary>
    public static double Ws(WorkTally w, DesignModel d, MemoryPlan plan, int m, int n, int k, bool transposedB, GemmEpilogue epilogue, int span,
        FastTimeline tl, int lo, bool activationA, (int Lo, int Hi) relay = default)
    {
        var (t, buffers, rowsPerM) = TilingSearch.Phased(d, plan, m, n, k, epilogue, span, bias: false);
        // Kᵀ's blocks are streamed (their write-outs hidden), so the loads are streams of DRAM rows; when those are latency
        // bound each fetch burst costs them what it costs a GEMM's, and the bursts are those of the instructions among them
        // in program order: the loads and the computes of the step before, not the step's own computes.
        w.RowStreams = true;
        w.FetchWithNextLoads = w.FetchBursts;
        var conflict = !plan.Banked;
        var nc = Math.Min(d.Cols, n);
        var opStart = tl.ComputeEnd;
        var before = tl.LastComputes; // computes of the step the first step's loads go among
        if (w.FetchWithNextLoads)
        {
            w.FetchAmongLoads(before);
        }

        var steps = GemmKernel.Steps(d, t, m, n, k).ToList();
        foreach (var step in steps)
        {
            var (mt, bl, kl) = (step.Mt, step.Blocks, step.Kl);
            var loads = 0.0;
            foreach (var (_, cc) in FastGemm.Pieces(kl, d.Rows))
            {
                loads += cc * (transposedB ? 1 + bl : 1);
            }

            // The loads go among the computes of the step before, a group after each; every operand here was written by a
            // store, so each group's first load pops that compute's token.
            var popped = before > 0 ? Math.Min(loads, before) / loads : 0;
            void Add(double count, int rows, int cols, LoadTarget target)
            {
                w.Loads(count * (1 - popped), rows, cols, target, streamed: true);
                w.Loads(count * popped, rows, cols, target, streamed: true, popped: true);
            }

            foreach (var (kr, cc) in FastGemm.Pieces(kl, d.Rows))
            {
                Add(cc, mt, kr, LoadTarget.Scratchpad);
                if (transposedB)
                {
                    Add(cc * bl, nc, kr, LoadTarget.ScratchpadTransposed);
                }
            }

            if (!transposedB)
            {
                Add(bl, kl, nc, LoadTarget.Scratchpad);
            }

            foreach (var (kr, cc) in FastGemm.Pieces(kl, d.Rows))
            {
                w.ComputeWs(cc * bl, mt, kr, overwrite: false, conflict);
            }

            before = w.ComputesSinceSegment;
            var accBase = lo + (step.Tile % buffers * t.TileM * rowsPerM);
            var accTop = accBase + (t.TileM * rowsPerM);
            var arrayEnd = tl.ComputeEnd;
            var (r0, r1) = step.Equals(steps[^1]) ? relay : default;
            var start = tl.Step(w, step.FirstK || r1 > r0, accBase, accTop, r0, r1, activation: activationA);
            if (!transposedB && start == tl.LoadEnd && start > arrayEnd)
            {
                // The computes waited for the step's loads, the last of which is the first compute's weights (B): it
                // preloads them before it streams.
                tl.Delay(2 + d.Rows);
            }

            if (step.K0 + kl == k)
            {
                w.Timed(0);
                FastGemm.Epilogue(w, d, 1, epilogue, mt, n, bl);
                var storeFree = tl.StoreEnd;
                tl.Stored(w, accBase, accTop, follows: true);
                if (epilogue == GemmEpilogue.Requantize)
                {
                    FastGemm.StoreQueueGate(tl, w, d, bl, mt, nc, accBase, storeFree);
                }

                tl.LastRows = (step.M0, step.M0 + mt);
            }

            w.Timed(0);
        }

        return tl.ComputeEnd - opStart;
    }
}
