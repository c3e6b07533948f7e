using HwGen.Generator.Design;

namespace HwGen.Software.Compiler;

/// <summary>
/// The one GEMM tiler: chooses the <see cref="GemmTiling"/> that <see cref="GemmKernel"/> walks, in the buffers of the
/// <see cref="MemoryPlan"/>. A streamed GEMM (<see cref="Choose"/>: the standalone GEMM, double-buffered scratchpad
/// quarters and accumulator halves) enumerates balanced splits of M, the column blocks and K that fit and keeps the
/// one with the lowest estimated time: max(load, compute, store) busy cycles plus the unoverlapped first load and last
/// store, with small charges per instruction and per loaded row as tie-breakers. A phased GEMM (<see cref="Phased"/>:
/// the GEMMs of a graph, sharing the accumulator with bias, γ/β and a second head) is sized in closed form by its
/// epilogue and its accumulator window.
/// </summary>
public static class TilingSearch
{
    private const int MaxSplits = 64;

    /// <summary>
    /// The best tiling for a GEMM on a design; with <paramref name="reservedAccRows"/> the two accumulator buffers leave that
    /// many rows below the top of the accumulator free (the per-column multipliers of a GEMM with per-channel weight scales).
    /// </summary>
    public static GemmTiling Choose(DesignModel d, int m, int n, int k, Dataflow dataflow, int reservedAccRows = 0)
    {
        ArgumentNullException.ThrowIfNull(d);
        var plan = MemoryPlan.For(d);
        var blocks = CeilDiv(n, d.Cols);
        GemmTiling? best = null;
        var bestCost = double.MaxValue;
        foreach (var tileM in Splits(m, dataflow == Dataflow.Os ? d.Rows : 1))
        {
            foreach (var blocksN in Splits(blocks, 1))
            {
                IEnumerable<int> chunks = dataflow == Dataflow.Ws ? [CeilDiv(k, CeilDiv(k, d.Rows))] : Splits(k, 1);
                foreach (var chunkK in chunks)
                {
                    var t = new GemmTiling(dataflow, tileM, blocksN, chunkK);
                    if (!Fits(d, plan, t, reservedAccRows))
                    {
                        continue;
                    }

                    var cost = Estimate(d, m, n, k, t);
                    if (cost < bestCost)
                    {
                        bestCost = cost;
                        best = t;
                    }
                }
            }
        }

        return best ?? throw new InvalidOperationException($"no tiling of {m}x{n}x{k} fits design '{d.Name}'");
    }

    /// <summary>
    /// The weight-stationary tiling of a graph GEMM whose output buffers use <paramref name="span"/> accumulator rows: m-tiles
    /// of at most 64 rows for whole-row epilogues and of at most 96 rows for the others where that
    /// makes fewer m-tiles than 64 rows (a 157-token MiniLM batch loads each weight twice instead of three times), evened out; Softmax, LayerNorm and the residual add take all column blocks at once (whole rows,
    /// LayerNorm and add also their residual), other epilogues as many blocks as a bias area holds; k-groups of whole
    /// ROWS-deep chunks as deep as half the scratchpad holds A and B. Also returns the output buffers (two let the next tile
    /// compute while the store path drains this one) and the accumulator rows each tile row takes.
    /// </summary>
    /// <exception cref="ArgumentException">A row, or one k-chunk of the tile, does not fit.</exception>
    public static (GemmTiling Tiling, int Buffers, int RowsPerM) Phased(DesignModel d, MemoryPlan plan, int m, int n, int k, GemmEpilogue epilogue, int span, bool bias)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(plan);
        var whole = epilogue is GemmEpilogue.Softmax or GemmEpilogue.LayerNorm or GemmEpilogue.ResidualAdd;
        if (whole)
        {
            return PhasedFor(d, plan, m, n, k, epilogue, span, bias, 64);
        }

        // Other epilogues: a taller m-tile when it means fewer m-tiles (each m-tile loads every weight once more); it leaves
        // fewer accumulator rows per tile for column blocks, so at the same tile count the shorter cap is better (measured
        // with the performance model on the presets; docs/performance.md).
        var best = PhasedFor(d, plan, m, n, k, epilogue, span, bias, PhasedTileCaps[0]);
        foreach (var cap in PhasedTileCaps.Skip(1))
        {
            (GemmTiling Tiling, int Buffers, int RowsPerM) candidate;
            try
            {
                candidate = PhasedFor(d, plan, m, n, k, epilogue, span, bias, cap);
            }
            catch (ArgumentException)
            {
                continue; // a taller tile does not fit where the shortest does
            }

            if (CeilDiv(m, candidate.Tiling.TileM) < CeilDiv(m, best.Tiling.TileM))
            {
                best = candidate;
            }
        }

        return best;
    }

    /// <summary>The m-tile caps <see cref="Phased"/> chooses among for epilogues without whole rows.</summary>
    private static readonly int[] PhasedTileCaps = [64, 96];

    private static (GemmTiling Tiling, int Buffers, int RowsPerM) PhasedFor(DesignModel d, MemoryPlan plan, int m, int n, int k, GemmEpilogue epilogue, int span, bool bias, int cap)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(plan);
        var withResidual = epilogue is GemmEpilogue.LayerNorm or GemmEpilogue.ResidualAdd;
        var allBlocks = CeilDiv(n, d.Cols);
        var whole = epilogue is GemmEpilogue.Softmax || withResidual;
        int nb, rowsPerM, buffers, tmMax;
        if (whole)
        {
            nb = allBlocks;
            rowsPerM = withResidual ? 2 * allBlocks : allBlocks;

            // Two buffers let the next tile compute while the unit normalizes this one, unless that would shrink the
            // m-tile below the array height (the array would then idle between weight loads anyway).
            buffers = span / (2 * rowsPerM) >= Math.Min(m, d.Rows) ? 2 : 1;
            tmMax = Math.Min(cap, span / (buffers * rowsPerM));
        }
        else
        {
            buffers = 2;
            tmMax = Math.Min(m, cap);
            nb = Math.Max(1, Math.Min(Math.Min(allBlocks, plan.BiasCap), span / (2 * tmMax)));

            // Two even column groups rather than a full one and a runt (16 blocks under a cap of 15: 8 and 8, not 15 and 1,
            // whose one-block phase is too short to hide the next m-tile's loads; bert-mini's projections 74 → 90 %, model).
            // With more groups the runt is one phase of several, and evening them out measured slower (gpt2-small's q_proj
            // +1.5 %: the longer k-groups of fewer blocks delay each m-tile's first compute).
            nb = CeilDiv(allBlocks, nb) == 2 ? CeilDiv(allBlocks, 2) : nb;
            tmMax = Math.Min(tmMax, span / (2 * nb));
            rowsPerM = nb;
        }

        if (tmMax < 1 || (bias && nb > plan.BiasCap))
        {
            throw new ArgumentException(plan.RowTooWide(n, whole ? rowsPerM : nb, withResidual, span));
        }

        // Even m-tiles: the same number of tiles as tmMax gives, no runt at the end.
        var tm = CeilDiv(m, CeilDiv(m, tmMax));

        // The k-group: as deep as one scratchpad half holds A (tm rows per ROWS-deep chunk) and nb blocks of B; with
        // banked halves, A and B each fill their own banks.
        var kg = plan.Banked
            ? Math.Min(k, Math.Min(plan.BankRows / tm, (plan.BankedB(1).Size / nb) / d.Rows) * d.Rows)
            : Math.Min(k, plan.SpHalf / (tm + (nb * d.Rows)) * d.Rows);
        if (kg < 1)
        {
            throw new ArgumentException($"design '{d.Name}': half the scratchpad cannot hold {nb} column blocks of B and {tm} rows of A");
        }

        return (new GemmTiling(Dataflow.Ws, tm, nb, kg), buffers, rowsPerM);
    }

    /// <summary>True when the tiling fits the design's buffers and field widths (leaving <paramref name="reservedAccRows"/> below the top, see <see cref="Choose"/>).</summary>
    public static bool Fits(DesignModel d, MemoryPlan plan, GemmTiling t, int reservedAccRows = 0)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(t);
        if (t.TileM < 1 || t.BlocksN < 1 || t.ChunkK < 1 || t.TileM > ushort.MaxValue || t.ChunkK > ushort.MaxValue)
        {
            return false;
        }

        var aRows = t.Dataflow == Dataflow.Ws ? t.TileM : CeilDiv(t.TileM, d.Rows) * t.ChunkK;
        return (t.Dataflow == Dataflow.Os || t.ChunkK <= d.Rows)
            && aRows <= plan.SpBufferRows
            && (long)t.BlocksN * t.ChunkK <= plan.SpBufferRows
            && (long)t.BlocksN * t.TileM <= plan.AccBufferRows - reservedAccRows;
    }

    /// <summary>The search's cost estimate in cycles (not the performance model; only used to rank tilings).</summary>
    public static double Estimate(DesignModel d, int m, int n, int k, GemmTiling t)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(t);
        var axi = d.AxiDataBits / 8;
        var blocks = CeilDiv(n, d.Cols);
        var nM = CeilDiv(m, t.TileM);
        var nG = CeilDiv(blocks, t.BlocksN);
        var nK = CeilDiv(k, t.ChunkK);
        double Beats(int bytes) => Math.Max(1, CeilDiv(bytes, axi));
        var colsPerBlock = Math.Min(n, d.Cols);

        // Loads: A is re-read for every column group, B for every row tile.
        double aLoad = t.Dataflow == Dataflow.Ws
            ? (double)nG * m * nK * Beats(t.ChunkK)
            : (double)nG * m * CeilDiv(k, d.SpRowBytes) * Beats(d.SpRowBytes);
        double bLoad = (double)nM * k * blocks * Beats(colsPerBlock);
        double instructions = (double)nM * nG * nK * (1 + t.BlocksN + (t.Dataflow == Dataflow.Os ? CeilDiv(t.TileM, d.Rows) * (t.BlocksN + CeilDiv(t.ChunkK, d.SpRowBytes)) : t.BlocksN));
        var load = aLoad + bLoad;

        // Compute: weight-stationary streams one A row per cycle; a compute shorter than the
        // next preload (~ROWS + COLS) cannot hide it. Output-stationary pays fill and drain per compute.
        var rowsPerTile = (double)m / nM;
        double compute = t.Dataflow == Dataflow.Ws
            ? (double)nK * blocks * nM * (Math.Max(rowsPerTile, 3.0 * d.Rows) + 2)
            : (double)nK * blocks * CeilDiv(m, d.Rows) * (t.ChunkK + d.Rows + d.Cols + 2);
        double store = (double)m * blocks * Beats(colsPerBlock);

        // Prologue and epilogue that nothing overlaps: the first step's loads and the last tile's stores.
        double first = (t.Dataflow == Dataflow.Ws ? t.TileM * Beats(t.ChunkK) : CeilDiv(t.TileM, d.Rows) * t.ChunkK) + ((double)t.BlocksN * t.ChunkK);
        double last = (double)t.TileM * t.BlocksN;
        // The secondary load term prefers less DMA traffic among compute-bound tilings: real DMA
        // throughput per short row is below one row per cycle when few bursts are outstanding.
        return Math.Max(load, Math.Max(compute, store)) + first + last + (instructions * 0.5) + (load * 0.1);
    }

    /// <summary>Balanced splits of <paramref name="total"/>: ceil(total/parts) rounded up to a multiple of <paramref name="quantum"/> (capped at total), distinct, largest first.</summary>
    private static IEnumerable<int> Splits(int total, int quantum)
    {
        var seen = new HashSet<int>();
        for (var parts = 1; parts <= Math.Min(total, MaxSplits); parts++)
        {
            var size = Math.Min(total, CeilDiv(CeilDiv(total, parts), quantum) * quantum);
            if (seen.Add(size))
            {
                yield return size;
            }
        }

        // Small fixed sizes, for very large dimensions with small memories.
        for (var size = quantum; size < total; size *= 2)
        {
            if (seen.Add(size))
            {
                yield return size;
            }
        }
    }

    internal static int CeilDiv(int a, int b) => (a + b - 1) / b;
}
