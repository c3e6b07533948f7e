using HwGen.Generator.Design;
using HwGen.Generator.Isa;

namespace HwGen.Software.Performance.Fast;

/// <summary>
/// The busy cycles of the load, execute and store units and the <see cref="WorkCounts"/> of a group of instructions
/// described by their shapes and counts instead of built: each added shape costs what <see cref="PerfReplay"/>'s unit
/// rules give one such instruction running back to back with its neighbours (no token waits, aligned DRAM rows, no
/// accumulator-port refusals).
/// </summary>
internal sealed class WorkTally(DesignModel d, PerfParameters p)
{
    private const int ArSlice = 2; // as PerfReplay

    private readonly int axi = d.AxiDataBits / 8;
    private readonly int lat = (d.Rows / d.TileRows) + (d.Cols / d.TileCols);

    public double Load { get; private set; }

    public double Execute { get; private set; }

    public double Store { get; private set; }

    public double Instructions { get; private set; }

    /// <summary>Cycles before the program's first compute (the first loads), in an operation that starts the program.</summary>
    public double Lead { get; set; }

    private double pipelined;
    private (double L, double Bus, double E, double S, double C) mark;

    /// <summary>Compute instructions so far.</summary>
    public double Computes { get; private set; }

    /// <summary>Compute instructions tallied since the last segment.</summary>
    public double ComputesSinceSegment => Computes - mark.C;

    /// <summary>
    /// Closes a segment of like steps (tiles of one shape): the units overlap within it, so it takes its busiest unit's
    /// cycles; segments follow one another.
    /// </summary>
    public void EndSegment()
    {
        var (l, e, s) = SinceSegment;
        pipelined += Math.Max(l, Math.Max(e, s));
        Mark();
    }

    /// <summary>Adds a stretch whose <paramref name="cycles"/> the caller timed itself (for the work tallied since the last segment).</summary>
    public void Timed(double cycles)
    {
        pipelined += cycles;
        Mark();
    }

    /// <summary>The load, execute and store cycles tallied since the last segment.</summary>
    public (double L, double E, double S) SinceSegment => (Math.Max(LoadUnit - mark.L, Bus - mark.Bus), Execute - mark.E, Store - mark.S);

    /// <summary>The load unit's cycles and the share of the fetch's beats its own bursts leave no room for (<see cref="FetchShare"/>).</summary>
    private double LoadUnit => Load + (FetchShare * LoadFetchBeats);

    /// <summary>
    /// The computes are fetched among the next segment's loads (a step's loads go among the computes of the step before in
    /// program order), so their fetch beats count against that segment's load unit and read channel, not their own
    /// (set with <see cref="FetchBursts"/>, whose cost per burst is derived; the half share is the average for the step's own).
    /// </summary>
    public bool FetchWithNextLoads { get; set; }

    private double fetchHeld; // compute instructions whose fetch goes among the next segment's loads
    private bool fetchRelease; // the next loads release them (a segment has ended since)
    private double fetchElsewhere; // compute instructions tallied elsewhere whose fetch went among these loads

    /// <summary>Counts the fetch of <paramref name="computes"/> tallied elsewhere (the operation before's last step) among the next loads.</summary>
    public void FetchAmongLoads(double computes) => fetchElsewhere += computes;

    // The fetch beats among the loads so far.
    private double LoadFetchBeats => (Instructions - fetchHeld + fetchElsewhere) * FetchPerInstruction;

    /// <summary>
    /// Share of the instruction fetch's beats that delay the load unit: for streams of row loads that are latency-bound,
    /// what a burst costs them (<see cref="FetchCost"/>); otherwise half (between none and all; see docs/explore.md).
    /// </summary>
    public double FetchShare => FetchBursts ? fetchCost / PerfReplay.FetchBurstBeats : 0.5;

    /// <summary>The loads are latency-bound streams of DRAM rows, which each fetch burst costs <see cref="FetchCost"/>.</summary>
    public bool FetchBursts => RowStreams && fetchCost > 0;

    /// <summary>
    /// The loads are streams of DRAM rows, as a GEMM's A chunks and B blocks and the per-head GEMMs' streamed Kᵀ blocks
    /// (<see cref="FetchCost"/> is derived for them); the long-attention lowering's transposed blocks, whose write-outs hold
    /// the channel, keep the half share.
    /// </summary>
    public bool RowStreams { get; set; }

    private readonly double fetchCost = FetchCost(d, p);

    private readonly double popCycles = PopCycles(d, p);

    /// <summary>
    /// Cycles a token pop adds to a load (hwgen_load_agen's S_WAIT). After a load's last address the unit takes the next
    /// load, pops its token and sends its first address, 2 + 1 cycles; with O outstanding bursts coming round every
    /// R = slice + latency + 1 cycles, the slot for that address frees only R − O + 1 cycles after the last one (the O-th
    /// burst back lands then), so latency-bound rows hide the take (<see cref="LoadCost"/>) and, with R − O ≥ 2 idle
    /// cycles a period (tiny), the pop as well.
    /// </summary>
    private static double PopCycles(DesignModel d, PerfParameters p)
    {
        var (r, o) = BurstRound(d, p);
        var slack = r - o;
        return Math.Max(0, 2 - slack) - Math.Max(0, 1 - slack);
    }

    /// <summary>
    /// Cycles a fetch burst costs a stream of one-beat row loads that is latency-bound (0 when they are bandwidth-bound).
    /// The stream's O outstanding bursts come round every R = slice + latency + 1 cycles: O beats, then R − O idle cycles
    /// (tiny: 2 in 4). A fetch burst requested r cycles into that period takes the channel for its F beats after the last
    /// load burst requested before it, and every outstanding load's beat waits behind it: the loads lose F + (r + 1)(1 − R/O)
    /// cycles on average when r &lt; O, F + r − R otherwise; over the R phases, F − (R − O)(R + 2) / 2R (tiny: 6.5 of 8).
    /// </summary>
    private static double FetchCost(DesignModel d, PerfParameters p)
    {
        var (r, o) = BurstRound(d, p);
        return d.SpRowBytes <= d.AxiDataBits / 8 && r > o ? PerfReplay.FetchBurstBeats - ((r - o) * (r + 2) / (2 * r)) : 0;
    }

    // A stream of one-beat loads: R, the cycles an outstanding burst takes to come round (slice, latency, the beat), and O,
    // the bursts outstanding.
    private static (double R, double O) BurstRound(DesignModel d, PerfParameters p) =>
        (ArSlice + p.MemoryLatency + 1.0, Math.Max(1.0, d.DmaOutstanding));

    /// <summary>Beats on the shared read channel: the loads' data and the instruction fetch.</summary>
    private double Bus => DataBeats + LoadFetchBeats;

    private double DataBeats { get; set; }

    private void Mark()
    {
        mark = (LoadUnit, Bus, Execute, Store, Computes);
        fetchRelease = true;
        segmentLoads.Clear();
    }

    // The loads tallied since the last segment, in order: (count, the load unit's cycles of one, its LoadSpread weight).
    private readonly List<(double Count, double Cycles, double Weight)> segmentLoads = [];

    /// <summary>
    /// The loads tallied since the last segment, spread by <see cref="Compiler.LoadSpread"/> among computes of which the
    /// last weighs <paramref name="lastShare"/> of their total: the load unit's cycles of the loads before the one
    /// <paramref name="depth"/> before the last load placed ahead of the last compute (the load whose take lets that
    /// compute be dispatched), and the cycles of all of them; (−1, total) when no load is that far back.
    /// </summary>
    public (double Before, double All) LoadsAheadOfLast(double lastShare, int depth)
    {
        double total = 0, cycles = 0;
        foreach (var (n, c, wt) in segmentLoads)
        {
            total += n * wt;
            cycles += n * c;
        }

        // Loads go ahead of the last compute while the weight placed before them is under the others' share of the total.
        var threshold = total * (1 - lastShare);
        double cum = 0, ahead = 0;
        foreach (var (n, _, wt) in segmentLoads)
        {
            var m = threshold > cum ? Math.Min(n, Math.Ceiling((threshold - cum) / wt)) : 0;
            ahead += m;
            cum += n * wt;
            if (m < n)
            {
                break;
            }
        }

        var before = ahead - depth - 1; // loads before the gating one
        if (before < 0)
        {
            return (-1, cycles);
        }

        double t = 0;
        foreach (var (n, c, _) in segmentLoads)
        {
            var m = Math.Min(n, before);
            t += m * c;
            before -= m;
            if (before <= 0)
            {
                break;
            }
        }

        return (t, cycles);
    }

    /// <summary>The segments' cycles (after a last <see cref="EndSegment"/>).</summary>
    public double Pipelined
    {
        get
        {
            EndSegment();
            return pipelined;
        }
    }

    public double Macs { get; private set; }

    public double SpBits { get; private set; }

    public double AccBits { get; private set; }

    public double Dram { get; private set; }

    public double Requant { get; private set; }

    public double Gelu { get; private set; }

    public double Softmax { get; private set; }

    public double LayerNorm { get; private set; }

    public double Add { get; private set; }

    private double Beats(double bytes) => Math.Max(1, Math.Ceiling(bytes / axi));

    /// <summary>
    /// <paramref name="count"/> loads of <paramref name="rows"/> DRAM rows of <paramref name="cols"/> elements. <paramref name="streamed"/>: transposed
    /// blocks back to back (a head's Kᵀ), each gathering its rows while the one before is written out, so a block costs
    /// the longer of the two on the load unit and on the read channel instead of its rows and half its write-out.
    /// <paramref name="popped"/>: each waits for a token from the execute unit (the first load after a compute, when it reads
    /// what a store wrote), which the load unit pops in a cycle of its own (<see cref="PopCycles"/>).
    /// </summary>
    public void Loads(double count, int rows, int cols, LoadTarget target, bool elem16 = false, bool streamed = false, bool popped = false)
    {
        if (count <= 0 || rows <= 0)
        {
            return;
        }

        if (fetchRelease)
        {
            (fetchHeld, fetchRelease) = (0, false);
        }

        var rowBytes = (double)cols * (elem16 ? 2 : target == LoadTarget.Accumulator ? 4 : 1);
        var (cycles, beats) = LoadCost(rows, cols, target, elem16);
        if (streamed && target == LoadTarget.ScratchpadTransposed)
        {
            var half = (cols + 1) / 2.0;
            (cycles, beats) = (Math.Max(cycles - half, cols + 1), Math.Max(beats - half, cols));
        }

        cycles += popped ? popCycles : 0;
        Load += count * cycles;
        segmentLoads.Add((count, cycles, Compiler.LoadSpread.Load(rows, (long)rowBytes, axi)));
        DataBeats += count * beats;
        Instructions += count;
        Dram += count * rows * rowBytes;
        if (target == LoadTarget.Accumulator)
        {
            AccBits += count * rows * d.Cols * 32.0;
        }
        else
        {
            SpBits += count * rows * cols * 8.0;
        }
    }

    /// <summary>
    /// One load's cycles on the load unit (one address a cycle, at most the outstanding bursts in flight, a transposed
    /// block's write-out) and its beats on the read channel (its data and the write-out, which holds the channel).
    /// </summary>
    public (double Cycles, double Beats) LoadCost(int rows, int cols, LoadTarget target, bool elem16 = false)
    {
        var rowBytes = (double)cols * (elem16 ? 2 : target == LoadTarget.Accumulator ? 4 : 1);
        var perRow = Math.Max(Beats(rowBytes), (ArSlice + p.MemoryLatency + Beats(rowBytes)) / Math.Max(1.0, d.DmaOutstanding));
        // A transposed block is written out column by column after its last row. With two transpose buffers a stream of
        // blocks hides the write-out behind the next block's rows, a block paced by computes shows it whole; without the
        // instruction stream the estimate cannot tell them apart and charges half.
        var writeOut = target == LoadTarget.ScratchpadTransposed ? (cols + 1) / 2.0 : 0;
        // The unit's cycle to take the instruction delays the next address only when addresses are the limit: latency-bound
        // rows (two cycles or more each) hide it behind the wait for an outstanding burst.
        return (Math.Max(0, 2 - perRow) + (rows * perRow) + writeOut, (rows * Beats(rowBytes)) + writeOut);
    }

    /// <summary>The period of a weight-stationary compute of <paramref name="rows"/> rows in a stream of them.</summary>
    public double WsPeriod(int rows, bool bankConflict) =>
        // The next preload waits for the switch flag to pass every PE, and, when its B rows share a bank with the stream's A
        // rows, for the stream to end.
        Math.Max(bankConflict ? rows + d.Rows : rows, d.Rows + Math.Max(0, lat - 3) + 2);

    /// <summary>The period of an output-stationary compute of depth <paramref name="k"/>: its steps against its drain.</summary>
    public double OsPeriod(int k, bool bankConflict) => Math.Max(k * (bankConflict ? 2 : 1), 1 + Math.Max(0, lat - 2) + d.Rows);

    /// <summary>Beats of the instruction fetch per instruction on the shared read channel.</summary>
    public double FetchPerInstruction => Math.Max(1.0, (double)IsaSpec.InstructionBytes / axi) / Math.Max(1, axi / IsaSpec.InstructionBytes);

    /// <summary><paramref name="count"/> weight-stationary computes of <paramref name="rows"/> rows and depth <paramref name="k"/>, back to back.</summary>
    public void ComputeWs(double count, int rows, int k, bool overwrite, bool bankConflict)
    {
        if (count <= 0)
        {
            return;
        }

        Execute += count * WsPeriod(rows, bankConflict);
        Instructions += count;
        fetchHeld += FetchWithNextLoads ? count : 0;
        Computes += count;
        Count(count, rows, k, overwrite);
    }

    /// <summary><paramref name="count"/> output-stationary computes of <paramref name="rows"/> rows and depth <paramref name="k"/>, back to back.</summary>
    public void ComputeOs(double count, int rows, int k, bool overwrite, bool bankConflict)
    {
        if (count <= 0)
        {
            return;
        }

        Execute += count * OsPeriod(k, bankConflict);
        Instructions += count;
        Computes += count;
        Count(count, rows, k, overwrite);
    }

    /// <summary>Cycles the execute unit waits without work of its own (a weight-stationary stream behind an output-stationary drain).</summary>
    public void Wait(double cycles) => Execute += cycles;

    private void Count(double count, int rows, int k, bool overwrite)
    {
        Macs += count * rows * (double)k * d.Cols;
        SpBits += count * (rows + k) * d.SpRowBytes * 8.0;
        AccBits += count * rows * d.Cols * 32.0 * (overwrite ? 1 : 2);
    }

    /// <summary>The store unit's cycles for one store of <paramref name="rows"/> rows of <paramref name="cols"/> columns.</summary>
    public double StoreIssue(int rows, int cols) => Math.Max(rows * Beats(cols), (double)rows * d.RequantCyclesPerRow) + p.InstructionOverhead;

    /// <summary><paramref name="count"/> stores of <paramref name="rows"/> rows of <paramref name="cols"/> columns through the requantizer (and GELU).</summary>
    public void Stores(double count, int rows, int cols, bool gelu)
    {
        if (count <= 0 || rows <= 0)
        {
            return;
        }

        var issue = StoreIssue(rows, cols);
        Store += count * issue;
        Instructions += count;
        AccBits += count * rows * d.Cols * 32.0;
        Dram += count * rows * (double)cols;
        Requant += count * rows * (double)cols;
        Gelu += gelu ? count * rows * (double)cols : 0;
    }

    /// <summary><paramref name="count"/> normalizes of <paramref name="rows"/> rows of <paramref name="width"/> (with the γ/β fill for LayerNorm).</summary>
    /// <param name="count">Normalizes.</param>
    /// <param name="rows">Rows of each.</param>
    /// <param name="width">Width of each row.</param>
    /// <param name="func">Softmax, LayerNorm or residual add.</param>
    /// <param name="shared">The fraction of blocks whose residual row shares a bank with x's: each of those takes two reads (<see cref="Compiler.MemoryPlan.SharedBankFraction"/>).</param>
    public void Normalizes(double count, int rows, int width, NormalizeFunc func, double shared = 0)
    {
        if (count <= 0 || rows <= 0)
        {
            return;
        }

        var blocks = (width + d.Cols - 1) / d.Cols;
        var beats = blocks * Beats(d.Cols);
        var reads = 1 + shared;
        var softmax = func is NormalizeFunc.Softmax or NormalizeFunc.SoftmaxLate;
        var passes = func == NormalizeFunc.Add ? 1 : func == NormalizeFunc.SoftmaxLate ? 2 : 3;
        var perRow = ((passes - 1) * blocks * reads) + Math.Max(blocks * Math.Max(reads, d.RequantCyclesPerRow), beats) + (func == NormalizeFunc.SoftmaxLate ? 1 : 0);
        var engine = softmax ? p.SoftmaxRowEngine : func == NormalizeFunc.LayerNorm ? p.LayerNormRowEngine : 0;
        var tail = softmax ? p.SoftmaxStatsLatency : func == NormalizeFunc.LayerNorm ? p.LayerNormStatsLatency : 0;
        var fill = func == NormalizeFunc.LayerNorm ? 2 * blocks : 0;
        Store += count * ((rows * Math.Max(perRow, engine)) + tail + fill + p.InstructionOverhead);
        Instructions += count;
        AccBits += count * rows * blocks * passes * (softmax ? 1 : 2) * (double)d.Cols * 32;
        Dram += count * rows * (double)width;
        var elements = count * rows * (double)width;
        if (softmax)
        {
            Softmax += elements;
        }
        else if (func == NormalizeFunc.LayerNorm)
        {
            LayerNorm += elements;
        }
        else
        {
            Add += elements;
        }
    }

    /// <summary><paramref name="count"/> one-cycle configuration instructions of the store queue.</summary>
    public void Configs(double count)
    {
        Store += count;
        Instructions += count;
    }

    /// <summary>The counts so far.</summary>
    public WorkCounts Counts() => new()
    {
        Macs = Macs, ScratchpadBits = SpBits, AccumulatorBits = AccBits, DramBytes = Dram, RequantElements = Requant, GeluElements = Gelu,
        SoftmaxElements = Softmax, LayerNormElements = LayerNorm, AddElements = Add,
    };

    /// <summary>Cycles the instructions' fetch takes on the shared read channel.</summary>
    public double FetchBeats => Instructions * FetchPerInstruction;

    /// <summary>The accumulators a timed operation adds to (everything but the segment marks), for <see cref="FastUnits.Extrapolate"/>.</summary>
    public double[] Accumulators() =>
        [Load, Execute, Store, Instructions, Computes, DataBeats, Macs, SpBits, AccBits, Dram, Requant, Gelu, Softmax, LayerNorm, Add];

    /// <summary>Adds <paramref name="times"/> × <paramref name="step"/> (per accumulator, in <see cref="Accumulators"/>' order).</summary>
    public void Advance(ReadOnlySpan<double> step, double times)
    {
        Load += times * step[0];
        Execute += times * step[1];
        Store += times * step[2];
        Instructions += times * step[3];
        Computes += times * step[4];
        DataBeats += times * step[5];
        Macs += times * step[6];
        SpBits += times * step[7];
        AccBits += times * step[8];
        Dram += times * step[9];
        Requant += times * step[10];
        Gelu += times * step[11];
        Softmax += times * step[12];
        LayerNorm += times * step[13];
        Add += times * step[14];
    }
}
