using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;

namespace HwGen.Software.Performance;

/// <summary>The timed replay behind <see cref="PerfModel"/> (one instance per estimate); the units' rules are in PerfReplay.Units.cs.</summary>
internal sealed partial class PerfReplay
{
    private const int FetchBufferBeats = 32; // hwgen_fetch FETCH_BUF
    internal const int FetchBurstBeats = 8;   // hwgen_fetch FETCH_BURST
    private const int ArSlice = 2;           // load/fetch address register + the arbiter's register slice

    private readonly DesignModel d;
    private readonly IReadOnlyList<Instruction> program;
    private readonly PerfParameters p;
    private readonly int axi;
    private readonly int ntr;
    private readonly int ntc;
    private readonly ReadBus bus = new();
    private FetchBursts fetch = null!;

    // Tokens: push cycles per channel (a token is available from the cycle after its push).
    private readonly List<long>[] pushTimes = [[], [], [], []];
    private readonly int[] popCount = new int[4];

    // Load unit.
    private long loadFree;          // first cycle the load unit can take an instruction
    private long loadDataNotBefore; // a transposed block is written out column by column; later rows wait
    private long emissionFrom;
    private long emissionLast = -1; // the last column write of the latest transposed block
    private readonly long[] outstanding; // the last beat of each of the last DMA_OUTSTANDING bursts, a ring
    private long burstSeq;               // bursts issued so far (the ring's next slot)

    // Execute unit.
    private long sLast = -1;        // cycle the stream in S issues its last row (S frees)
    private long handoff = -1;      // cycle the last instruction moved from P to S
    private long swIdleAt;          // first cycle a preload may start (the switch flag has passed every PE)
    private long osStepEnd = -1;    // last OS step of the previous OS compute (port B busy until then)
    private long dFree = -1;        // cycle the OS drain slot D issues its last drain row (frees)
    private bool prevWs;
    private long prevABank = -1;

    // Store unit.
    private long storeFree;
    private long lastRowRead;       // the store unit's last accumulator read of an output row
    private long lnResidual;
    private long gbCached;
    private long softmaxBlock;

    // The execute unit's accumulator reads (accumulate and bias modes), per bank: the store unit's reads of that bank
    // are refused in those cycles. Processed computes are recorded; later ones are forecast at their stream rate.
    private readonly List<(long Bank, long From, long To)> accReads = [];
    private int[] execOrder = [];
    private int execDone;
    private InstructionView[] views = [];

    private long arrayActive;
    private long execIdle;
    private readonly long[] busy = new long[3];

    public PerfReplay(DesignModel d, IReadOnlyList<Instruction> program, PerfParameters p)
    {
        this.d = d;
        this.program = program;
        this.p = p;
        axi = d.AxiDataBits / 8;
        ntr = d.Rows / d.TileRows;
        ntc = d.Cols / d.TileCols;
        outstanding = new long[Math.Max(1, d.DmaOutstanding)];
    }

    public PerfEstimate Run(long macs, long[]? timeline)
    {
        var n = program.Count;
        views = new InstructionView[n];
        var unitOf = new int[n];
        var pops = new int[n][];
        var pushes = new int[n][];
        for (var pc = 0; pc < n; pc++)
        {
            views[pc] = new InstructionView(program[pc]);
            unitOf[pc] = (int)program[pc].Format.Unit;
            pops[pc] = views[pc].Pops.Select(c => (int)c).ToArray();
            pushes[pc] = views[pc].Pushes.Select(c => (int)c).ToArray();
        }

        execOrder = Enumerable.Range(0, n).Where(pc => unitOf[pc] == (int)Unit.Execute).ToArray();
        int[] depths = [d.LoadQueueDepth, d.ExecQueueDepth, d.StoreQueueDepth];
        var takes = Enumerable.Range(0, 3).Select(_ => new List<long>()).ToArray(); // cycle each queue entry was taken
        var queues = Enumerable.Range(0, 3).Select(_ => new Queue<int>()).ToArray();
        var dispatched = new int[3];
        var dispatchTime = new long[n];

        // Fetch: beats per instruction word (several words per beat on wide buses).
        var wordsPerBeat = Math.Max(1, axi / IsaSpec.InstructionBytes);
        var beatsPerWord = Math.Max(1, IsaSpec.InstructionBytes / axi);
        var burstWords = FetchBurstBeats * wordsPerBeat / beatsPerWord;
        long lastDispatch = 0;
        var next = 0;
        fetch = new FetchBursts(bus, n, burstWords, wordsPerBeat, beatsPerWord, FetchBufferBeats, ArSlice + p.MemoryLatency);
        fetch.Request(0, dispatchTime);

        var execPcs = new List<int>();
        var execEnd = new List<long>();
        var execTail = new List<long>();
        var execTake = new List<long>();

        // Fetch and dispatch in order while the target queue has (or will have) a free slot. Called again as soon as a
        // unit takes an instruction, so the fetch bursts that frees are requested before the unit's own bursts go out.
        void Dispatch()
        {
            while (next < n)
            {
                var u = unitOf[next];
                var slot = dispatched[u] - depths[u];
                if (slot >= 0 && slot >= takes[u].Count)
                {
                    break;
                }

                var fetchDone = fetch.WordArrives(next);
                lastDispatch = Math.Max(Math.Max(lastDispatch + 1, fetchDone + 2), slot >= 0 ? takes[u][slot] + 1 : 0);
                dispatchTime[next] = lastDispatch;
                queues[u].Enqueue(next++);
                dispatched[u]++;
                fetch.Request(next, dispatchTime);
            }
        }

        long end = 0;
        var done = 0;
        while (done < n)
        {
            Dispatch();

            // Start the head instruction that can start earliest.
            var best = -1;
            long bestTime = long.MaxValue;
            for (var u = 0; u < 3; u++)
            {
                if (queues[u].Count == 0)
                {
                    continue;
                }

                var pc = queues[u].Peek();
                if (!pops[pc].All(c => pushTimes[c].Count > popCount[c]))
                {
                    continue;
                }

                var t = StartTime(u, views[pc], dispatchTime[pc], TokenTime(pops[pc]));
                if (t < bestTime)
                {
                    bestTime = t;
                    best = u;
                }
            }

            if (best < 0)
            {
                throw new InvalidOperationException("the program deadlocks (run TokenChecker for details)");
            }

            var id = queues[best].Dequeue();
            var tokens = TokenTime(pops[id]);
            foreach (var c in pops[id])
            {
                popCount[c]++;
            }

            var insn = views[id];
            var take = TakeTime(best, dispatchTime[id]);
            takes[best].Add(take);
            Dispatch();
            long pushPrev, pushNext, finish;
            switch (best)
            {
                case (int)Unit.Load:
                    (pushPrev, finish) = Load(insn, take, tokens);
                    pushNext = pushPrev;
                    break;
                case (int)Unit.Execute:
                {
                    var tail = Compute(insn, take, tokens, out pushPrev, out pushNext);
                    execPcs.Add(id);
                    execEnd.Add(sLast);
                    execTail.Add(tail);
                    execTake.Add(take);
                    finish = Math.Max(pushNext, sLast + tail);
                    break;
                }

                default:
                    (pushPrev, pushNext, finish) = Store(insn, take, tokens);
                    break;
            }

            foreach (var c in pushes[id])
            {
                pushTimes[c].Add(c is (int)TokenChannel.ExecuteToLoad ? pushPrev : pushNext);
            }

            end = Math.Max(end, finish);
            if ((done & 1023) == 0)
            {
                bus.Forget(Math.Min(Math.Min(loadFree, storeFree), Math.Min(fetch.Pending, handoff)) - 1);
            }

            done++;
        }

        if (timeline is not null)
        {
            // The profile gives a compute the cycles until the next one is taken, or its rows have left the array.
            for (var i = 0; i < execPcs.Count; i++)
            {
                var t = execEnd[i];
                if (i + 1 < execPcs.Count)
                {
                    t = Math.Max(t, Math.Min(execTake[i + 1], execEnd[i] + execTail[i]));
                }

                timeline[execPcs[i]] = t + 1;
            }
        }

        var ideal = (double)macs / d.Pes;
        return new PerfEstimate(end + 1, ideal, busy[0], busy[1], busy[2], arrayActive, execIdle);
    }

    private long TokenTime(int[] channels)
    {
        long t = 0;
        foreach (var c in channels)
        {
            t = Math.Max(t, pushTimes[c][popCount[c]] + 1);
        }

        return t;
    }

    // The cycle a unit takes the instruction from its queue.
    private long TakeTime(int unit, long dispatched) => unit switch
    {
        (int)Unit.Load => Math.Max(dispatched + 1, loadFree),
        (int)Unit.Execute => Math.Max(dispatched + 1, handoff + 1),
        _ => Math.Max(dispatched + 1, storeFree),
    };

    // The cycle the unit would start working on the head instruction (for choosing which unit goes next).
    private long StartTime(int unit, InstructionView insn, long dispatched, long tokens)
    {
        var take = TakeTime(unit, dispatched);
        if (unit != (int)Unit.Execute)
        {
            return Math.Max(take + 1, tokens);
        }

        return Math.Max(Math.Max(take + 1, tokens), insn.Dataflow == Dataflow.Ws ? swIdleAt : sLast);
    }

    private void RecordReads(InstructionView insn, long from, long to)
    {
        if (insn.Mode == ComputeMode.Overwrite)
        {
            return;
        }

        var bankRows = Math.Max(1, d.AccDepth / d.AccBanks);
        var row = insn.Mode == ComputeMode.Bias ? insn.BiasAddr : insn.CAddr;
        accReads.Add((row / bankRows, from, to));
        if (accReads.Count > 256)
        {
            accReads.RemoveRange(0, 128);
        }
    }

    // Extra cycles a store-unit instruction reading accumulator rows from `row` on needs because the execute unit's reads
    // of the same bank come first: its readCycles reads go into the cycles the execute unit leaves free. An engine-bound
    // normalize (the division engine slower than a row's reads) is walked row by row (EnginePaced): a refused read holds
    // its row's pass, and the engine behind it once the walker's lead of three rows is used up.
    private long Refused(long row, long start, long issue, long readCycles, (long Rows, long Cycles, long Slack) engine = default)
    {
        if (readCycles <= 0)
        {
            return 0;
        }

        var bankRows = Math.Max(1, d.AccDepth / d.AccBanks);
        var bank = row / bankRows;
        var reads = new List<(long From, long To)>();
        foreach (var r in accReads)
        {
            if (r.Bank == bank)
            {
                reads.Add((r.From, r.To));
            }
        }

        // Forecast the computes not yet replayed: back to back from the stream in progress, until one waits for a store
        // token not yet pushed (those the store unit has pushed already are popped in order).
        var lat = ntr + ntc;
        var minPeriod = d.Rows + Math.Max(0, lat - 3) + 2;
        var t = Math.Max(sLast, start);
        var st = (int)TokenChannel.StoreToExecute;
        var pushed = popCount[st];
        for (var i = execDone; i < execOrder.Length && i < execDone + 256; i++)
        {
            var v = views[execOrder[i]];
            if (v.Tokens.HasFlag(Tokens.PopNext))
            {
                if (pushed >= pushTimes[st].Count)
                {
                    break;
                }

                t = Math.Max(t, pushTimes[st][pushed++] + 1);
            }

            var bankRowsAcc = bankRows;
            var r = v.Mode == ComputeMode.Bias ? v.BiasAddr : v.CAddr;
            if (v.Dataflow == Dataflow.Ws)
            {
                if (v.Mode != ComputeMode.Overwrite && r / bankRowsAcc == bank)
                {
                    reads.Add((t + lat + 1, t + v.Rows + lat));
                }

                t += Math.Max(v.Rows, minPeriod);
            }
            else
            {
                var span = v.K + Math.Max(0, lat - 2) + d.Rows;
                if (v.Mode != ComputeMode.Overwrite && r / bankRowsAcc == bank)
                {
                    reads.Add((t + span - d.Rows + 2, t + span + 2));
                }

                t += span;
            }
        }

        // Walk forward from the start: the reads need readCycles cycles in which the execute unit does not read the bank.
        reads.Sort();
        var t0 = start;
        var need = readCycles;
        foreach (var (from, to) in reads)
        {
            if (to < t0)
            {
                continue;
            }

            var gap = Math.Max(0, from - t0);
            if (gap >= need)
            {
                break;
            }

            need -= gap;
            t0 = Math.Max(t0, to + 1);
        }

        var readsDone = t0 + need;
        var refused = Math.Max(0, readsDone - (start + issue));
        if (engine.Rows > 0)
        {
            long held = 0;
            foreach (var (from, to) in reads)
            {
                if (to < start)
                {
                    continue;
                }

                if (from >= start + issue + held)
                {
                    break;
                }

                held += Math.Max(0, to - Math.Max(from, start) + 1 - engine.Slack);
            }

            refused = Math.Max(refused, Math.Max(held, EnginePaced(reads, start, readCycles, engine.Rows, engine.Cycles)));
        }

        return refused;
    }

    // An engine-bound normalize (rows of `cycles` in all, its division engine slower than its reads): row r's reads go
    // into the cycles the execute unit leaves the bank free, at most `lead` rows ahead of the engine, which takes a row
    // its period after the row's reads and the previous row. Returns how much later the engine finishes than with the
    // bank to itself.
    private static long EnginePaced(List<(long From, long To)> reads, long start, long readCycles, long rows, long cycles)
    {
        const int lead = 3; // hwgen_store_walker interleaves three rows' passes
        return Walk(reads, start, readCycles, rows, cycles, lead) - Walk([], start, readCycles, rows, cycles, lead);
    }

    private static long Walk(List<(long From, long To)> reads, long start, long readCycles, long rows, long cycles, int lead)
    {
        var perRow = readCycles / rows;
        var extra = readCycles - (perRow * rows);
        var period = cycles / rows;
        var done = new long[lead]; // the engine's finish of the last `lead` rows, a ring
        var t = start;
        var k = 0;
        long engine = start;
        for (long r = 0; r < rows; r++)
        {
            if (r >= lead)
            {
                t = Math.Max(t, done[r % lead]);
            }

            for (var n = perRow + (r < extra ? 1 : 0); n > 0; n--)
            {
                while (k < reads.Count && reads[k].From <= t)
                {
                    t = Math.Max(t, reads[k++].To + 1);
                }

                t++;
            }

            engine = Math.Max(engine, t) + period;
            done[r % lead] = engine;
        }

        return engine;
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
