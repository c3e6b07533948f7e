using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Programs;

namespace HwGen.Software.Performance;

/// <summary>
/// Analytic cycle estimate of a program: a timed replay of the decoupled machine. The in-order
/// dispatcher fetches one instruction per ceil(16 / AXI bytes) cycles into bounded queues; each unit
/// starts its head instruction when it is free and the tokens it pops have been pushed; it pushes at
/// completion. Per-instruction busy times:
/// <list type="bullet">
/// <item>load: max(AXI beats, local rows written) + overhead + memory latency;</item>
/// <item>compute WS: max(rows, preload) issue cycles, plus a preload of ROWS + 2 when the array was idle;
///   its tokens are pushed after the array latency (tile skew + extra);</item>
/// <item>compute OS: k steps, then the hand-off to the drain slot once the previous OS instruction has drained; its
///   sums drain (skew + ROWS cycles) behind the next instruction's steps, and a WS instruction waits for the drain;</item>
/// <item>store: max(beats, rows) + overhead, plus the write-response latency before its push.</item>
/// <item>normalize: rows × max(block reads of its passes, the divider's time per row) + the last row's statistics + the
///   LayerNorm γ/β fill when <c>config_post ln_affine</c> emptied the cache; a residual block whose rows share a bank
///   reads twice.</item>
/// </list>
/// A first version; the constants in <see cref="PerfParameters"/> are to be calibrated against RTL.
/// </summary>
public static class PerfModel
{
    /// <summary>Estimates a compiled program.</summary>
    public static PerfEstimate Estimate(DesignModel d, CompiledProgram program, PerfParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        return Estimate(d, program.Instructions, program.Macs, parameters);
    }

    /// <summary>Estimates a program; <paramref name="macs"/> gives the ideal cycles.</summary>
    public static PerfEstimate Estimate(DesignModel d, IReadOnlyList<Instruction> program, long macs, PerfParameters? parameters = null) =>
        Estimate(d, program, macs, null, parameters);

    /// <summary>
    /// As <see cref="Estimate(DesignModel, IReadOnlyList{Instruction}, long, PerfParameters?)"/>, and fills
    /// <paramref name="timeline"/>[pc] with the cycle at which instruction pc's unit is free again (for execute: its last
    /// row has entered the array).
    /// </summary>
    public static PerfEstimate Estimate(DesignModel d, IReadOnlyList<Instruction> program, long macs, long[]? timeline, PerfParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(program);
        var p = parameters ?? PerfParameters.Default;
        var axi = d.AxiDataBits / 8;
        var fetch = Math.Max(1, IsaSpec.InstructionBytes / axi);
        var skew = (d.Rows / d.TileRows) + (d.Cols / d.TileCols);
        var preload = d.Rows + 2;
        int[] depths = [d.LoadQueueDepth, d.ExecQueueDepth, d.StoreQueueDepth];

        var n = program.Count;
        var unitOf = new int[n];
        var pops = new int[n][];
        var pushes = new int[n][];
        for (var pc = 0; pc < n; pc++)
        {
            unitOf[pc] = (int)program[pc].Format.Unit;
            var view = new InstructionView(program[pc]);
            (pops[pc], pushes[pc]) = (view.Pops.Select(c => (int)c).ToArray(), view.Pushes.Select(c => (int)c).ToArray());
        }

        var pushTimes = Enumerable.Range(0, 4).Select(_ => new List<long>()).ToArray();
        var popCount = new int[4];
        var unitFree = new long[3];
        var busy = new long[3];
        var starts = Enumerable.Range(0, 3).Select(_ => new List<long>()).ToArray();
        var queues = Enumerable.Range(0, 3).Select(_ => new Queue<int>()).ToArray();
        var dispatched = new int[3];
        var dispatchTime = new long[n];
        long lastDispatch = p.MemoryLatency;
        long arrayActive = 0, execIdle = 0, end = 0;
        long lnResidual = 0, gbCached = 0, geluCols = 0, lnInShift = 0;
        long osDrained = 0; // when the execute unit's OS drain slot has issued its last drain row
        var next = 0;
        var done = 0;
        while (done < n)
        {
            // Dispatch in order while the target queue has (or will have) a free slot.
            while (next < n)
            {
                var u = unitOf[next];
                var slot = dispatched[u] - depths[u];
                if (slot >= 0 && slot >= starts[u].Count)
                {
                    break;
                }

                lastDispatch = Math.Max(lastDispatch + fetch, slot >= 0 ? starts[u][slot] : 0);
                dispatchTime[next] = lastDispatch;
                queues[u].Enqueue(next++);
                dispatched[u]++;
            }

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

                var t = Math.Max(unitFree[u], dispatchTime[pc]);
                foreach (var c in pops[pc])
                {
                    t = Math.Max(t, pushTimes[c][popCount[c]]);
                }

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
            var insn = new InstructionView(program[id]);
            foreach (var c in pops[id])
            {
                popCount[c]++;
            }

            var start = bestTime;
            starts[best].Add(start);
            long issue, latency;
            switch (insn.Opcode)
            {
                case Opcode.Load:
                {
                    var (rows, cols) = (insn.Rows, insn.Cols);
                    var beats = rows * Math.Max(1, CeilDiv(insn.LoadRowBytes, axi));
                    var localRows = insn.Target == LoadTarget.ScratchpadTransposed ? cols : rows;
                    issue = Math.Max(beats, localRows) + p.InstructionOverhead + p.MemoryLatency;
                    latency = 0;
                    break;
                }

                case Opcode.Store:
                {
                    var rows = insn.Rows;
                    var beats = rows * Math.Max(1, CeilDiv(insn.Cols, axi));
                    var constants = insn.StoreFunc == StoreFunc.GeluColumn ? (MemoryPlan.PairedReads(d, geluCols, geluCols + 1, 1) ? 1 : 2) : 0; // gelu_col reads its two constants rows first
                    issue = Math.Max(beats, rows * d.RequantCyclesPerRow) + constants + p.InstructionOverhead;
                    latency = p.MemoryLatency;
                    break;
                }

                case Opcode.Normalize:
                {
                    // Softmax and LayerNorm: three passes of ceil(width/COLS) blocks per logical row, interleaved over
                    // three rows so the per-row division (square root) overlaps other rows' passes; a row costs its
                    // reads or, for short rows, the division engine's time; the last row's statistics are exposed once.
                    // Add: one pass. With a residual, a block whose x and residual share a bank takes two reads.
                    // LayerNorm first fills the γ/β cache (2 reads per block) when config_post ln_affine emptied it.
                    var rows = insn.Rows;
                    var func = insn.NormalizeFunc;
                    var blocks = CeilDiv(insn.Width, d.Cols);
                    var beats = blocks * Math.Max(1, CeilDiv(d.Cols * (insn.Wide ? 2 : 1), axi));
                    var residual = func != NormalizeFunc.Softmax && lnResidual != 0;
                    var reads = residual && !MemoryPlan.PairedReads(d, insn.LocalAddr, lnResidual - 1, blocks * rows) ? 2 : 1;
                    var passes = func == NormalizeFunc.Add ? 1 : 3;
                    var perRow = Math.Max((passes - 1) * blocks * reads, 0) + Math.Max(blocks * Math.Max(reads, d.RequantCyclesPerRow), beats); // the output pass waits for a serial requantizer
                    var engine = func == NormalizeFunc.Softmax ? p.SoftmaxRowEngine : func == NormalizeFunc.LayerNorm ? p.LayerNormRowEngine : 0;
                    var tail = func == NormalizeFunc.Softmax ? p.SoftmaxStatsLatency : func == NormalizeFunc.LayerNorm ? p.LayerNormStatsLatency : 0;
                    var fill = func == NormalizeFunc.LayerNorm && gbCached * d.Cols < insn.Width ? (lnInShift == 0 ? 2 : 3) * blocks : 0;
                    if (fill > 0)
                    {
                        gbCached = blocks;
                    }

                    issue = (rows * Math.Max(perRow, engine)) + tail + fill + p.InstructionOverhead;
                    latency = p.MemoryLatency;
                    break;
                }

                case Opcode.ConfigPost:
                    if (insn.Reg == PostRegister.LnResidual)
                    {
                        lnResidual = (long)insn.Value;
                    }
                    else if (insn.Reg is PostRegister.LnAffine or PostRegister.LnInShift)
                    {
                        gbCached = 0;
                        lnInShift = insn.Reg == PostRegister.LnInShift ? (long)insn.Value : lnInShift;
                    }
                    else if (insn.Reg == PostRegister.GeluCols)
                    {
                        geluCols = (long)insn.Value;
                    }

                    issue = 1;
                    latency = 0;
                    break;
                case Opcode.ConfigStore:
                    issue = 1;
                    latency = 0;
                    break;
                case Opcode.Compute:
                {
                    var (rows, k) = (insn.Rows, insn.K);
                    if (insn.Dataflow == Dataflow.Ws)
                    {
                        arrayActive += rows;
                        var drainWait = Math.Max(0, osDrained - start);
                        issue = drainWait + Math.Max(rows, preload) + (start > unitFree[best] || unitFree[best] == 0 ? preload : 0);
                        latency = skew + p.ArrayLatencyExtra;
                    }
                    else
                    {
                        arrayActive += k;
                        // Not ready at the previous hand-off: that one was flushed, and this one starts after its drain.
                        var first = start > unitFree[best] ? Math.Max(start, osDrained) : start;
                        var handOff = Math.Max(first + k, osDrained);
                        osDrained = handOff + skew + d.Rows;
                        issue = handOff - start;
                        latency = osDrained - handOff + p.ArrayLatencyExtra;
                    }

                    execIdle += start - unitFree[best];
                    break;
                }

                default:
                    throw new NotSupportedException($"the performance model has no timing for opcode {insn.Opcode}");
            }

            unitFree[best] = start + issue;
            if (timeline is not null)
            {
                timeline[id] = start + issue;
            }

            busy[best] += issue;
            var finish = start + issue + latency;
            foreach (var c in pushes[id])
            {
                pushTimes[c].Add(finish);
            }

            end = Math.Max(end, finish);
            done++;
        }

        var ideal = (double)macs / d.Pes;
        return new PerfEstimate(end, ideal, busy[0], busy[1], busy[2], arrayActive, execIdle);
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
