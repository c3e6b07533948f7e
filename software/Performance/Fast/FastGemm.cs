using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;

namespace HwGen.Software.Performance.Fast;

/// <summary>
/// The work of one GEMM as the compiler would emit it, tallied by instruction shape instead of built: the tiling is the
/// compiler's own (<see cref="TilingSearch.Phased"/> for a graph GEMM, <see cref="TilingSearch.Choose"/> for the
/// standalone one), the steps are <see cref="GemmKernel.Steps"/>' (grouped by shape); the residual GEMMs that take the
/// output-stationary mapping are <see cref="FastResidual"/>'s.
/// </summary>
internal static class FastGemm
{
    /// <summary>Sizes of <paramref name="total"/> cut into pieces of <paramref name="size"/>: (piece, count), the runt last.</summary>
    public static IEnumerable<(int Size, int Count)> Pieces(int total, int size)
    {
        if (total / size > 0)
        {
            yield return (size, total / size);
        }

        if (total % size > 0)
        {
            yield return (total % size, 1);
        }
    }

    /// <summary>
    /// A graph GEMM (weight-stationary phases, <c>PhaseBuilder.Gemm</c>), step by step in <see cref="GemmKernel.Steps"/>'
    /// order: the loads of a step overlap the computes of the one before (two scratchpad halves), a tile's computes wait
    /// for the accumulator buffer the epilogue of the tile <c>buffers</c> back frees, and the epilogues follow in order.
    /// Returns the tiles (m-tiles × n-groups).
    /// </summary>
    public static int Ws(WorkTally w, DesignModel d, MemoryPlan plan, int m, int n, int k, bool transposedB, bool bias, GemmEpilogue epilogue, int span,
        FastTimeline tl, int lo = 0, bool activationA = true, bool pieces = false)
    {
        w.RowStreams = pieces;
        var (t, buffers, rowsPerM) = TilingSearch.Phased(d, plan, m, n, k, epilogue, span, bias);
        var allBlocks = (n + d.Cols - 1) / d.Cols;
        var conflict = !plan.Banked;
        var withResidual = epilogue is GemmEpilogue.LayerNorm or GemmEpilogue.ResidualAdd;
        var nc = Math.Min(d.Cols, n);
        var tiles = 0;
        var opStart = tl.ComputeEnd;
        var lead = tl.Empty ? double.NaN : 0; // the first compute's wait for the program's first loads
        var residualRow = 0;
        foreach (var step in GemmKernel.Steps(d, t, m, n, k))
        {
            var (mt, bl, kl) = (step.Mt, step.Blocks, step.Kl);
            foreach (var (kr, cc) in Pieces(kl, d.Rows))
            {
                w.Loads(cc, mt, kr, LoadTarget.Scratchpad);
                if (transposedB)
                {
                    w.Loads(cc * bl, nc, kr, LoadTarget.ScratchpadTransposed);
                }
            }

            if (!transposedB)
            {
                w.Loads(bl, kl, nc, LoadTarget.Scratchpad);
            }

            if (bias && step.FirstK)
            {
                w.Loads(1, bl, d.Cols, LoadTarget.Accumulator);
            }

            if (withResidual && step.FirstK)
            {
                Residual(w, d, 1, mt, n, conflict, plan);
            }

            foreach (var (kr, cc) in Pieces(kl, d.Rows))
            {
                w.ComputeWs(cc * bl, mt, kr, overwrite: false, conflict);
            }

            // PhaseBuilder.Gemm's residual placement: above the output, or in the next bank when one buffer leaves room.
            var accBase = lo + (step.Tile % buffers * t.TileM * rowsPerM);
            var accTop = accBase + (t.TileM * rowsPerM);
            if (withResidual && step.FirstK)
            {
                residualRow = buffers == 1 ? plan.ResidualRowFor(accBase, allBlocks * t.TileM, lo + span) : accBase + (allBlocks * t.TileM);
            }

            var residualTop = withResidual ? residualRow + (allBlocks * t.TileM) : 0;
            var (streamed, releases) = pieces && !transposedB ? PieceTiming(w, d, step, nc, bias) : default;
            var start = tl.Step(w, step.FirstK, accBase, accTop, residualRow, residualTop, activation: activationA, streamed: streamed, releases: releases);
            lead = double.IsNaN(lead) ? start - opStart : lead;
            if (step.K0 + kl == k)
            {
                tiles++;
                w.Timed(0);
                Epilogue(w, d, 1, epilogue, mt, n, bl, withResidual ? MemoryPlan.SharedBankFraction(d, accBase, residualRow, (long)bl * mt) : 0);
                var storeFree = tl.StoreEnd;
                tl.Stored(w, accBase, accTop, residualRow, residualTop);
                if (epilogue is GemmEpilogue.Requantize or GemmEpilogue.Gelu)
                {
                    StoreQueueGate(tl, w, d, bl, mt, nc, accBase, storeFree);
                }

                tl.LastRows = (step.M0, step.M0 + mt);
            }

            w.Timed(0);
        }

        // The array's time from the operation before's last compute to this one's (the program's first loads included).
        w.Timed(tl.ComputeEnd - opStart);
        w.Lead = double.IsNaN(lead) ? 0 : lead;
        return tiles;
    }

    /// <summary>
    /// How a weight-stationary step's computes (block-major: block j, then its ROWS-deep A chunks) meet its loads (A's chunks,
    /// then B's blocks, then the bias) piece by piece (<c>GemmKernel.Ws</c>). Compute (j, c) reads B block j: past the first
    /// step of a tile (whose first compute reads the bias, loaded last) the computes of a step of several blocks stream behind
    /// their blocks, the first once A and block 0 are in. And each compute frees what it last reads for the step after the
    /// next: A chunk c when block bl − 1 reads it, block j with its last chunk, so that step's first load waits only for
    /// compute (bl − 1, 0), its last (the last B block) for them all.
    /// </summary>
    private static ((double, int, int) Streamed, (double, double) Releases) PieceTiming(WorkTally w, DesignModel d, GemmStep step, int nc, bool bias)
    {
        var (bl, chunks) = (step.Blocks, (step.Kl + d.Rows - 1) / d.Rows);
        var releases = ((((bl - 1) * chunks) + 1) / (double)(bl * chunks), 1.0 / (chunks + bl + (bias && step.FirstK ? 1 : 0)));
        if (step.FirstK || bl < 2)
        {
            return (default, releases);
        }

        double a = 0;
        foreach (var (kr, cc) in Pieces(step.Kl, d.Rows))
        {
            a += cc * w.LoadCost(step.Mt, kr, LoadTarget.Scratchpad).Cycles;
        }

        var b = bl * w.LoadCost(step.Kl, nc, LoadTarget.Scratchpad).Cycles;
        return ((w.SinceSegment.L * a / (a + b), bl, chunks), releases);
    }

    /// <summary>
    /// The row LayerNorm of a pre-LN layer (<c>PhaseBuilder.LayerNorm</c>), tile by tile on <paramref name="tl"/> as
    /// <see cref="Ws"/> times a GEMM: each m-tile of the residual (γ/β with the first) is loaded into a scratchpad half and
    /// multiplied by the identity into one of the accumulator buffers once the normalize of the tile that last used it has
    /// read it, then normalized. With <paramref name="activation"/> the residual was written by a store of the program.
    /// Returns the tiles.
    /// </summary>
    public static int RowLayerNorm(WorkTally w, DesignModel d, MemoryPlan plan, int m, int n, FastTimeline tl, bool activation)
    {
        var blocks = (n + d.Cols - 1) / d.Cols;
        var (tm, buffers) = KernelGeometry.LayerNormTiles(d, plan, m, n);
        var opStart = tl.ComputeEnd;
        var lead = tl.Empty ? double.NaN : 0;
        var tiles = 0;
        w.Loads(1, 2 * blocks, d.Cols, LoadTarget.Accumulator);
        for (var m0 = 0; m0 < m; m0 += tm, tiles++)
        {
            var mt = Math.Min(tm, m - m0);
            Residual(w, d, 1, mt, n, !plan.Banked, plan);
            var accBase = tiles % buffers * tm * blocks;
            var accTop = accBase + (tm * blocks);
            var start = tl.Step(w, waits: true, accBase, accTop, activation: activation);
            lead = double.IsNaN(lead) ? start - opStart : lead;
            w.Timed(0);
            Epilogue(w, d, 1, GemmEpilogue.LayerNorm, mt, n, blocks);
            tl.Stored(w, accBase, accTop);
            tl.LastRows = (m0, m0 + mt);
            w.Timed(0);
        }

        w.Timed(tl.ComputeEnd - opStart);
        w.Lead = double.IsNaN(lead) ? 0 : lead;
        return tiles;
    }

    /// <summary>
    /// A tile's epilogue of <paramref name="blocks"/> stores (block j's rows at <paramref name="accBase"/> + j × <paramref name="mt"/>,
    /// <c>PhaseBuilder.Gemm</c>) holds back the next compute in program order when it has more stores than the store queue
    /// holds: dispatch is in order, so that compute is dispatched only once the store unit has taken the store the queue's
    /// depth before the last. The stores before that one, from the first whose rows share an accumulator bank with the
    /// tile's last compute, read only after that compute's reads (its end and the array's latency), one after another.
    /// </summary>
    internal static void StoreQueueGate(FastTimeline tl, WorkTally w, DesignModel d, int blocks, int mt, int nc, int accBase, double storeFree)
    {
        var gate = blocks - d.StoreQueueDepth; // the store (from 1) whose take lets the next compute be dispatched
        var bankRows = Math.Max(1, d.AccDepth / d.AccBanks);
        var lastBank = (accBase + ((blocks - 1) * mt)) / bankRows;
        for (var j = 0; j < gate - 1; j++)
        {
            if ((accBase + (j * mt)) / bankRows == lastBank)
            {
                var lat = (d.Rows / d.TileRows) + (d.Cols / d.TileCols);
                var take = Math.Max(storeFree, tl.ComputeEnd + lat) + ((gate - 1 - j) * w.StoreIssue(mt, nc));
                // Dispatched two cycles after that take, taken, then its weights preloaded before its stream starts.
                tl.ComputeGate = Math.Max(tl.ComputeGate, take + 4 + d.Rows);
                return;
            }
        }
    }

    /// <summary>The residual of <paramref name="count"/> m-tiles: loaded into the scratchpad and multiplied by the identity into the accumulator.</summary>
    public static void Residual(WorkTally w, DesignModel d, double count, int mt, int n, bool conflict, MemoryPlan? placed = null)
    {
        var blocks = (n + d.Cols - 1) / d.Cols;
        var chunks = blocks * ((d.Cols + d.Rows - 1) / d.Rows);
        if (placed is not null && chunks * mt > (placed.Banked ? placed.BankRows : placed.SpHalf))
        {
            // PhaseBuilder.ResidualPhase: a residual tile placed in a scratchpad half must fit it.
            throw new ArgumentException($"design '{d.Name}': the residual tile of {mt} rows × {n} does not fit half the scratchpad");
        }

        var kc = Math.Min(d.Rows, Math.Min(d.Cols, n));
        w.Loads(count * chunks, mt, kc, LoadTarget.Scratchpad);
        w.ComputeWs(count * chunks, mt, kc, overwrite: true, conflict);
    }

    /// <summary>The epilogue of <paramref name="count"/> tiles of <paramref name="mt"/> rows and <paramref name="blocks"/> column blocks.</summary>
    public static void Epilogue(WorkTally w, DesignModel d, double count, GemmEpilogue epilogue, int mt, int n, int blocks, double shared = 0)
    {
        var nc = Math.Min(d.Cols, n);
        switch (epilogue)
        {
            case GemmEpilogue.Requantize:
                w.Configs(count);
                w.Stores(count * blocks, mt, nc, gelu: false);
                break;
            case GemmEpilogue.Gelu:
                w.Configs(count * 6);
                w.Stores(count * blocks, mt, nc, gelu: true);
                break;
            case GemmEpilogue.Softmax:
                w.Configs(count * 2);
                w.Normalizes(count, mt, n, NormalizeFunc.Softmax);
                break;
            case GemmEpilogue.ResidualAdd:
                w.Configs(count * 5);
                w.Normalizes(count, mt, n, NormalizeFunc.Add, shared);
                break;
            default:
                w.Configs(count * 7);
                w.Normalizes(count, mt, n, NormalizeFunc.LayerNorm, shared);
                break;
        }
    }

    /// <summary>
    /// The standalone GEMM (<c>GemmCompiler</c>: the tiling of <see cref="TilingSearch.Choose"/>, streamed buffers), step by
    /// step on <paramref name="tl"/> (steps alternate between two scratchpad buffers, tiles between two accumulator
    /// buffers, each tile's stores after its last step); returns the tiles.
    /// </summary>
    public static int Streamed(WorkTally w, DesignModel d, int m, int n, int k, Dataflow dataflow, bool gelu, FastTimeline tl)
    {
        w.RowStreams = dataflow == Dataflow.Ws;
        var t = TilingSearch.Choose(d, m, n, k, dataflow);
        var nc = Math.Min(d.Cols, n);
        var tiles = 0;
        var opStart = tl.ComputeEnd;
        var lead = double.NaN;
        w.Configs(gelu ? 6 : 1);
        foreach (var step in GemmKernel.Steps(d, t, m, n, k))
        {
            var (mt, bl, kl) = (step.Mt, step.Blocks, step.Kl);
            w.Loads(bl, kl, nc, LoadTarget.Scratchpad);
            if (dataflow == Dataflow.Ws)
            {
                w.Loads(1, mt, kl, LoadTarget.Scratchpad);
                w.ComputeWs(bl, mt, kl, overwrite: false, bankConflict: false);
            }
            else
            {
                foreach (var (rows, sc) in Pieces(mt, d.Rows))
                {
                    foreach (var (kp, pc) in Pieces(kl, d.SpRowBytes))
                    {
                        w.Loads(sc * pc, rows, kp, LoadTarget.ScratchpadTransposed);
                    }

                    w.ComputeOs(sc * bl, rows, kl, overwrite: false, bankConflict: false);
                }
            }

            // The accumulator buffers as ranges of their own: tile parity.
            var buffer = step.Tile % 2;
            var start = tl.Step(w, step.FirstK, buffer, buffer + 1);
            lead = double.IsNaN(lead) ? start - opStart : lead;
            if (step.K0 + kl == k)
            {
                tiles++;
                w.Timed(0);
                w.Stores(bl, mt, nc, gelu);
                tl.Stored(w, buffer, buffer + 1);
            }

            w.Timed(0);
        }

        w.Timed(tl.ComputeEnd - opStart);
        w.Lead = double.IsNaN(lead) ? 0 : lead;
        return tiles;
    }
}
