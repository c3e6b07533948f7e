using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;

namespace HwGen.Software.Performance.Fast;

/// <summary>
/// The load unit, the array and the store unit running one operation's phases instruction by instruction, in the phase
/// builder's program order (<c>PhaseBuilder.Build</c>: the first phase's loads, then each phase's computes with the next
/// phase's loads spread evenly among them, then its epilogues), each instruction costed by the <see cref="WorkTally"/>
/// rules (docs/explore.md, "The fast estimator"). Dispatch is in order into bounded queues, so an instruction waits
/// until the instruction its queue depth before it on the same unit has been taken (loads that wait for a compute fill
/// the load queue and hold the computes behind them). A load of an activation (what a store of the program wrote) waits
/// for the compute before it in program order: the token scheduler orders a load behind a store through the execute
/// unit; in the operation's first phase, whose loads follow the previous operation's stores, for those stores.
/// </summary>
internal sealed class FastUnits
{
    private const int DataLatency = 3;  // a load's last beat after its last address (the register slice and the memory)
    private const int PushLatency = 6;  // a normalize's token to the execute unit after its last read (the write response)
    private const int RelayLatency = 8; // a load behind a store: the store's write response, then a relay compute's token
    private const int PostDrain = 4;    // a configuration of the store unit after the last row read

    private readonly WorkTally w;
    private readonly DesignModel d;
    private readonly FastTimeline tl;
    private readonly double drain;
    private readonly List<double> res = [];
    private readonly int[] depth;
    private readonly double[][] takes;
    private readonly int[] taken = new int[3];
    private readonly double opStart;
    private readonly bool programStart;
    private double lastDispatch = double.NegativeInfinity;
    private double load, array, store, handoff, lastEx, lastRead, emission;
    private double firstCompute = double.NaN;
    private double phaseEnd, phaseEndBefore;
    private (double Start, double First) phaseFirst, lastPhaseFirst;
    private bool afterOs;
    private static readonly List<FastPhase.LoadItem> NoLoads = [];
    private readonly bool hoisted;
    private readonly double fetchPer;
    private readonly int axiBytes;
    // The instructions by shape (a few), tallied into the WorkTally at the end.
    private readonly List<(int Rows, int Cols, LoadTarget Target, double Cycles, double Beats)> loadShapes = [];
    private readonly List<int> loadCounts = [];
    private readonly List<(bool Os, int Rows, int K, bool Conflict)> computeShapes = [];
    private readonly List<int> computeCounts = [];
    private double[] loadWeights = new double[64]; // Run's per-load weights, reused
    private int lastLoadShape = -1;    // consecutive instructions mostly share a shape: try the last one first
    private int lastComputeShape = -1;
    private int sinceLoad;
    private const int ShapeCountsAt = 14; // State(): where the numbers of load and compute shapes sit
    private FastPhase? pending;
    /// <summary>The last epilogue: when the store unit would start it (its configurations back to back), its cycles, the resource it frees.</summary>
    public (double Start, double S, int Frees) LastEpilogue { get; private set; }

    /// <summary>The last compute's share of the last phase's compute weight (LoadSpread): the next operation's first loads go after it but for this share.</summary>
    public double LastShare { get; private set; }

    /// <param name="w">The tally the instructions are costed and counted in.</param>
    /// <param name="d">The design.</param>
    /// <param name="tl">The program's timeline, moved to the operation's end by <see cref="Finish"/>.</param>
    /// <param name="firstRows">Rows of its input the operation's first phase reads: unless the previous operation's last epilogue wrote some of
    /// them, the phase builder spreads that phase's loads among the previous operation's last computes.</param>
    public FastUnits(WorkTally w, DesignModel d, FastTimeline tl, (int Lo, int Hi) firstRows)
    {
        this.w = w;
        this.d = d;
        this.tl = tl;
        drain = 1 + Math.Max(0, (d.Rows / d.TileRows) + (d.Cols / d.TileCols) - 2) + d.Rows;
        depth = [Math.Max(1, d.LoadQueueDepth), Math.Max(1, d.ExecQueueDepth), Math.Max(1, d.StoreQueueDepth)];
        takes = [new double[depth[0]], new double[depth[1]], new double[depth[2]]];
        (load, array, store) = (tl.LoadEnd, tl.ComputeEnd, tl.StoreEnd);
        (opStart, handoff, phaseEnd, phaseEndBefore) = (tl.ComputeEnd, tl.ComputeEnd, tl.ComputeEnd, tl.ComputeEndBefore);
        programStart = tl.Empty;
        lastEx = tl.StoreEnd + RelayLatency;
        fetchPer = w.FetchPerInstruction;
        axiBytes = d.AxiDataBits / 8;
        hoisted = firstRows.Hi <= tl.LastRows.Lo || firstRows.Lo >= tl.LastRows.Hi;
        lastRead = tl.StoreEnd;
    }

    /// <summary>
    /// The state that advances from tile to tile, flattened: the units' clocks, the queues' last takes, every resource,
    /// the instruction counts per shape and the tally's accumulators. Taken at the same point of tiles t − 4, t − 2 and t
    /// (tiles alternate buffers, so the period is two tiles), it lets <see cref="Extrapolate"/> skip identical tiles.
    /// </summary>
    public double[] State()
    {
        // The clocks (ShapeCountsAt of them), the two shape counts, then the rings, resources, counts and tallies.
        var list = new List<double>(32 + res.Count + loadCounts.Count + computeCounts.Count)
        {
            lastDispatch, load, array, store, handoff, lastEx, lastRead, emission, phaseEnd, phaseEndBefore,
            phaseFirst.Start, phaseFirst.First, lastPhaseFirst.Start, lastPhaseFirst.First, loadShapes.Count, computeShapes.Count,
        };
        for (var u = 0; u < takes.Length; u++)
        {
            // Oldest take first: the ring's slots rotate with the instruction count.
            for (var j = 0; j < depth[u]; j++)
            {
                list.Add(takes[u][(taken[u] + j) % depth[u]]);
            }
        }

        list.AddRange(res);
        list.AddRange(loadCounts.Select(c => (double)c));
        list.AddRange(computeCounts.Select(c => (double)c));
        list.AddRange(w.Accumulators());
        return [.. list];
    }

    /// <summary>
    /// When every component of the state advanced by the same amount from <paramref name="a"/> to <paramref name="b"/> as from
    /// <paramref name="b"/> to <paramref name="c"/> (the current state: a steady run of identical tile pairs), advances it
    /// <paramref name="periods"/> periods more, as if that many more tile pairs had run, and returns true; otherwise changes
    /// nothing and returns false.
    /// </summary>
    public bool Extrapolate(double[] a, double[] b, double[] c, int periods)
    {
        if (a.Length != b.Length || b.Length != c.Length || periods < 1)
        {
            return false;
        }

        var step = new double[c.Length];
        for (var i = 0; i < c.Length; i++)
        {
            var (d1, d2) = (b[i] - a[i], c[i] - b[i]);
            if (double.IsNaN(d1) || double.IsNaN(d2))
            {
                // Infinite or unset: steady only if it never changed.
                if (!(a[i].Equals(b[i]) && b[i].Equals(c[i])))
                {
                    return false;
                }

                continue;
            }

            if (Math.Abs(d1 - d2) > 1e-6 * Math.Max(1, Math.Abs(d2)))
            {
                return false;
            }

            step[i] = d2;
        }

        if (step[ShapeCountsAt] != 0 || step[ShapeCountsAt + 1] != 0)
        {
            return false; // a new instruction shape appeared
        }

        var x = c.Select((v, i) => v + (periods * step[i])).ToArray();
        (lastDispatch, load, array, store, handoff, lastEx, lastRead, emission, phaseEnd, phaseEndBefore) = (x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9]);
        (phaseFirst, lastPhaseFirst) = ((x[10], x[11]), (x[12], x[13]));
        var at = ShapeCountsAt + 2;
        for (var u = 0; u < takes.Length; u++)
        {
            for (var j = 0; j < depth[u]; j++)
            {
                takes[u][(taken[u] + j) % depth[u]] = x[at++];
            }
        }

        for (var j = 0; j < res.Count; j++)
        {
            res[j] = x[at++];
        }

        for (var j = 0; j < loadCounts.Count; j++)
        {
            loadCounts[j] = (int)Math.Round(x[at++]);
        }

        for (var j = 0; j < computeCounts.Count; j++)
        {
            computeCounts[j] = (int)Math.Round(x[at++]);
        }

        w.Advance(step.AsSpan(at), periods);
        return true;
    }

    /// <summary>A resource (a time) starting at <paramref name="t"/>; returns its id.</summary>
    public int Resource(double t)
    {
        res.Add(t);
        return res.Count - 1;
    }

    /// <summary><paramref name="n"/> resources starting at <paramref name="t"/>; returns the first id.</summary>
    public int Resources(int n, double t)
    {
        var first = res.Count;
        for (var i = 0; i < n; i++)
        {
            res.Add(t);
        }

        return first;
    }

    /// <summary>Resources starting at <paramref name="times"/>; returns the first id.</summary>
    public int Resources(double[] times)
    {
        var first = res.Count;
        res.AddRange(times);
        return first;
    }

    public double Time(int id) => res[id];

    private double At(int id) => id >= 0 ? res[id] : double.NegativeInfinity;

    /// <summary>
    /// <paramref name="filled"/> is complete: runs the phase before it (its computes with this one's loads among them, then
    /// its epilogues), or, for the operation's first phase, its loads. Returns a new phase to fill.
    /// </summary>
    public FastPhase Next(FastPhase filled)
    {
        if (filled.IsEmpty)
        {
            return filled;
        }

        var done = pending;
        if (pending is null)
        {
            // The operation's first loads: among the previous operation's last computes (a share each), or after its stores.
            // Spread by weight (LoadSpread) among computes taken as even.
            var (from, to) = (tl.ComputeEndBefore, tl.ComputeEnd);
            double total = 0, placed = 0;
            foreach (var l in filled.Loads)
            {
                total += Weight(l);
            }

            // Those ahead of the previous operation's last compute (all but its share) hold it back when the load unit falls
            // behind (FastTimeline.Step): it is dispatched once the load the queue's depth before the last of them is taken.
            var (ahead, share, took) = (0, tl.LastComputes > 0 ? 1 - (1 / tl.LastComputes) : 0, new double[filled.Loads.Count]);
            for (var li = 0; li < filled.Loads.Count; li++)
            {
                lastEx = hoisted ? from + ((to - from) * placed / total) : lastEx;
                ahead += hoisted && placed < total * share ? 1 : 0;
                placed += Weight(filled.Loads[li]);
                Load(filled.Loads[li], filled);
                took[li] = takes[0][(taken[0] - 1) % depth[0]];
            }

            if (ahead > depth[0])
            {
                array = handoff = Math.Max(array, tl.HeldBack(took[ahead - depth[0] - 1] + 2 + d.Rows + tl.LastStep.First));
            }
        }
        else
        {
            Run(pending, filled);
        }

        pending = filled;
        var fresh = done ?? new FastPhase(); // the phase just run is free again
        fresh.Clear();
        return fresh;
    }

    /// <summary>Runs the last phase and hands the units' ends to the program's timeline.</summary>
    public void Finish(FastPhase last)
    {
        Next(last);
        if (pending is not null)
        {
            Run(pending, null);
        }

        foreach (var ((rows, cols, target, _, _), count) in loadShapes.Zip(loadCounts))
        {
            w.Loads(count, rows, cols, target);
        }

        foreach (var ((os, rows, k, conflict), count) in computeShapes.Zip(computeCounts))
        {
            if (os)
            {
                w.ComputeOs(count, rows, k, overwrite: false, conflict);
            }
            else
            {
                w.ComputeWs(count, rows, k, overwrite: true, conflict);
            }
        }

        tl.Moved(load, phaseEndBefore, array, store, lastPhaseFirst);
        w.Timed(array - opStart);
        w.Lead = programStart && !double.IsNaN(firstCompute) ? firstCompute - opStart : 0;
    }

    // PhaseBuilder.Build: phase p's computes with phase p+1's loads spread among them by time (LoadSpread), then p's epilogues.
    private void Run(FastPhase ph, FastPhase? next)
    {
        var (computes, loads) = (ph.Computes, next?.Loads ?? NoLoads);
        phaseFirst = (double.NaN, 0);
        double loadTotal = 0, computeTotal = 0, loadsPlaced = 0, computesPlaced = 0;
        if (loadWeights.Length < loads.Count)
        {
            loadWeights = new double[Math.Max(loads.Count, 2 * loadWeights.Length)];
        }

        for (var i = 0; i < loads.Count; i++)
        {
            loadWeights[i] = Weight(loads[i]);
            loadTotal += loadWeights[i];
        }

        foreach (var c in computes)
        {
            computeTotal += Weight(c);
        }

        LastShare = computes.Count > 0 ? Weight(computes[^1]) / computeTotal : 0;

        for (int li = 0, ci = 0; li < loads.Count || ci < computes.Count;)
        {
            if (li < loads.Count && (ci >= computes.Count || LoadSpread.LoadFirst(loadsPlaced, loadTotal, computesPlaced, computeTotal, leading: false)))
            {
                loadsPlaced += loadWeights[li];
                Load(loads[li++], next!);
            }
            else
            {
                computesPlaced += Weight(computes[ci]);
                Compute(computes[ci++]);
            }
        }

        foreach (var (first, count) in ph.ReadAll)
        {
            for (var i = first; i < first + count; i++)
            {
                res[i] = Math.Max(res[i], array);
            }
        }

        foreach (var s in ph.Stores)
        {
            Compute(s);
        }

        (phaseEndBefore, phaseEnd) = (phaseEnd, array);
        lastPhaseFirst = double.IsNaN(phaseFirst.Start) ? (array, 0) : phaseFirst;
    }

    // In-order dispatch: after the instruction before it, and once its queue has a free entry.
    private double Dispatch(int unit)
    {
        // The entry the instruction `depth` before it on this unit took (a ring of the last `depth` takes).
        var free = taken[unit] >= depth[unit] ? takes[unit][taken[unit] % depth[unit]] + 1 : double.NegativeInfinity;
        lastDispatch = Math.Max(lastDispatch + 1, free);
        return lastDispatch;
    }

    private void Took(int unit, double t) => takes[unit][taken[unit]++ % depth[unit]] = t;

    private double Weight(FastPhase.LoadItem l) =>
        LoadSpread.Load(l.Rows, (long)l.Cols * (l.Target == LoadTarget.Accumulator ? 4 : 1), axiBytes);

    // A subtile's epilogue stands for its config_posts and normalize, one each.
    private static double Weight(FastPhase.Item c) => c.Epilogue is null ? LoadSpread.Compute(c.Os, c.Rows, c.K) : 1;

    private void Load(FastPhase.LoadItem l, FastPhase ph)
    {
        var take = Math.Max(Dispatch(0) + 1, load);
        Took(0, take);
        var i = lastLoadShape;
        if (i < 0 || loadShapes[i].Rows != l.Rows || loadShapes[i].Cols != l.Cols || loadShapes[i].Target != l.Target)
        {
            i = 0;
            while (i < loadShapes.Count && (loadShapes[i].Rows != l.Rows || loadShapes[i].Cols != l.Cols || loadShapes[i].Target != l.Target))
            {
                i++;
            }

            if (i == loadShapes.Count)
            {
                var (c, b) = w.LoadCost(l.Rows, l.Cols, l.Target);
                loadShapes.Add((l.Rows, l.Cols, l.Target, c, b));
                loadCounts.Add(0);
            }

            lastLoadShape = i;
        }

        var cost = loadShapes[i];
        loadCounts[i]++;
        // The instruction fetch since the last load shares the read channel (and, in part, the load unit's time).
        var fetch = fetchPer * ++sinceLoad;
        var cycles = Math.Max(cost.Cycles + (w.FetchShare * fetch), cost.Beats + fetch);
        sinceLoad = 0;
        var wait = l.Wait >= 0 ? res[l.Wait] : 0;
        var (first, count) = ph.LoadsWait;
        for (var r = first; r >= 0 && r < first + count; r++)
        {
            wait = Math.Max(wait, res[r]);
        }

        wait = l.Activation ? Math.Max(wait, lastEx) : wait;
        var start = Math.Max(take + 1, wait + 2);
        if (l.Target != LoadTarget.ScratchpadTransposed)
        {
            load = start + cycles;
            res[l.Data] = Math.Max(res[l.Data], load + DataLatency);
            return;
        }

        // Two transpose buffers: the block's rows gather while the one before is written out; its own write-out (a column a
        // cycle) starts after its last row and after that write-out, and the read channel waits behind it.
        var rowsEnd = start + cycles - ((l.Cols + 1) / 2.0);
        var writeOut = Math.Max(rowsEnd + DataLatency, emission);
        emission = writeOut + l.Cols;
        load = Math.Max(rowsEnd, writeOut - DataLatency);
        res[l.Data] = Math.Max(res[l.Data], emission + 1);
    }

    private void Compute(FastPhase.Item c)
    {
        if (c.Epilogue is { } epilogue)
        {
            Epilogue(c, epilogue);
            return;
        }

        var take = Math.Max(Dispatch(1) + 1, handoff + 1);
        Took(1, take);
        var ready = take + 1;
        ready = Math.Max(ready, Math.Max(Math.Max(At(c.Deps.A), At(c.Deps.B)), Math.Max(At(c.Deps.C), At(c.Deps.D))) + 1);

        var shape = (c.Os, c.Rows, c.K, c.Conflict);
        var i = lastComputeShape;
        if (i < 0 || computeShapes[i] != shape)
        {
            i = computeShapes.IndexOf(shape);
            if (i < 0)
            {
                i = computeShapes.Count;
                computeShapes.Add(shape);
                computeCounts.Add(0);
            }

            lastComputeShape = i;
        }

        computeCounts[i]++;
        sinceLoad++;
        var cycles = c.Os ? w.OsPeriod(c.K, c.Conflict) : w.WsPeriod(c.Rows, c.Conflict);
        var start = Math.Max(ready, array + (!c.Os && afterOs ? drain : 0));
        afterOs = c.Os;
        firstCompute = double.IsNaN(firstCompute) ? start : firstCompute;
        (handoff, array) = (start, start + cycles);
        phaseFirst = double.IsNaN(phaseFirst.Start) ? (start, cycles) : phaseFirst;
        lastEx = array + 1;
        if (c.Reads >= 0)
        {
            res[c.Reads] = Math.Max(res[c.Reads], array);
        }
    }

    // The configurations of the store unit (a cycle each, after the last row read), then the normalize behind the drain of
    // the compute before it.
    private void Epilogue(FastPhase.Item c, GemmEpilogue epilogue)
    {
        var configs = epilogue == GemmEpilogue.ResidualAdd ? 5 : 7;
        for (var i = 0; i < configs; i++)
        {
            var t = Math.Max(Dispatch(2) + 1, store);
            Took(2, t);
            store = Math.Max(t + 1, lastRead + PostDrain) + 1;
        }

        var take = Math.Max(Dispatch(2) + 1, store);
        Took(2, take);
        var s0 = w.Store;
        FastGemm.Epilogue(w, d, 1, epilogue, c.Rows, c.N, c.Blocks, c.Shared);
        sinceLoad += configs + 1;
        var start = Math.Max(take + 1, array + (afterOs ? drain : 0) + 4);
        var s = w.Store - s0 - configs;
        store = start + s;
        LastEpilogue = (start - (2 * configs) - 1, s + (2 * configs) + 1, c.Reads);
        lastRead = store;
        res[c.Reads] = Math.Max(res[c.Reads], store + PushLatency);
    }
}
