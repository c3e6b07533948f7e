using HwGen.Generator.Design;

namespace HwGen.Software.Compiler;

/// <summary>
/// Chooses a <see cref="GemmTiling"/> by enumerating balanced splits of M, the column blocks and K
/// that fit the buffers of <see cref="MemoryPlan"/>, and keeping the one with the lowest estimated
/// time: max(load, compute, store) busy cycles plus the unoverlapped first load and last store,
/// with small charges per instruction and per loaded row as tie-breakers.
/// </summary>
public static class TilingSearch
{
    private const int MaxSplits = 64;

    /// <summary>The best tiling for a GEMM on a design.</summary>
    public static GemmTiling Choose(DesignModel d, int m, int n, int k, Dataflow dataflow)
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
                    if (!Fits(d, plan, t))
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

    /// <summary>True when the tiling fits the design's buffers and field widths.</summary>
    public static bool Fits(DesignModel d, MemoryPlan plan, GemmTiling t)
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
            && (long)t.BlocksN * t.TileM <= plan.AccBufferRows;
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
