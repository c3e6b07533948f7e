using HwGen.Generator.Design;
using HwGen.Generator.Isa;

namespace HwGen.Software.Compiler;

/// <summary>
/// Turns a program written with sequential meaning (each instruction sees every earlier one complete) into one that runs
/// decoupled on the load, execute and store units: it finds every cross-unit hazard through the scratchpad, the
/// accumulator and DRAM, and sets the fewest dependency tokens that order them.
/// </summary>
/// <remarks>
/// <para>Hazards are read-after-write, write-after-read and write-after-write between instructions of different units,
/// per scratchpad row, accumulator row and 64-byte DRAM line. Instructions of one unit run in order, so they need no
/// tokens between them.</para>
/// <para>Tokens are counting semaphores per channel (LD→EX, EX→LD, EX→ST, ST→EX), so the k-th pop consumes the k-th
/// push. Walking the program in order, an instruction pops a channel only when its latest source on that channel is
/// past what earlier pops already covered, and that source pushes. Pushes therefore sit on strictly later instructions
/// and each pop's source precedes it in program order, so no queue depth can deadlock.</para>
/// <para>Load and store have no channel between them. Such a hazard goes through the execute unit: the latest execute
/// instruction before the target, when it comes after the source, also waits for the source; otherwise a one-row relay
/// compute into the memory plan's relay row (<see cref="MemoryPlan.Relay"/>) is inserted just before the target.</para>
/// </remarks>
internal sealed class TokenScheduler
{
    private const int Ld = 0, Ex = 1, St = 2, LineBytes = 64;

    private readonly DesignModel d;
    private readonly int? relayRow;
    private long lnResidual, lnAffine, geluCols, lnInShift, requantCols;

    private TokenScheduler(DesignModel d, int? relayRow)
    {
        this.d = d;
        this.relayRow = relayRow;
    }

    private enum Space
    {
        Sp,
        Acc,
        Dram,
    }

    /// <summary>
    /// Sets the token flags of <paramref name="program"/> (which must carry none) and inserts relays.
    /// Returns the program to run and, for each input instruction, its position in it.
    /// </summary>
    /// <param name="d">The design.</param>
    /// <param name="program">Instructions in program order.</param>
    /// <param name="plan">The memory plan the kernels placed their buffers in; relay computes overwrite its relay row, which
    /// nothing reads. Null when the kernels use that row too (the standalone GEMM, which has no load/store hazard: a relay
    /// would then be a compiler bug).</param>
    public static (List<PendingInstruction> Program, int[] Position) Schedule(DesignModel d, IReadOnlyList<PendingInstruction> program, MemoryPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(program);
        return new TokenScheduler(d, plan?.Relay).Run(program);
    }

    /// <summary>True when <paramref name="later"/>, moved ahead of <paramref name="earlier"/>, would change what either computes.</summary>
    public static bool Conflicts(DesignModel d, IEnumerable<PendingInstruction> earlier, IEnumerable<PendingInstruction> later)
    {
        var s = new TokenScheduler(d, null);
        var reads = new List<(Space, long, long)>();
        var writes = new List<(Space, long, long)>();
        foreach (var p in earlier)
        {
            s.Effects(p, reads, writes);
        }

        var r2 = new List<(Space, long, long)>();
        var w2 = new List<(Space, long, long)>();
        foreach (var p in later)
        {
            s.Effects(p, r2, w2);
        }

        static bool Any(List<(Space S, long Lo, long Hi)> a, List<(Space S, long Lo, long Hi)> b) =>
            a.Any(x => b.Any(y => x.S == y.S && x.Lo < y.Hi && y.Lo < x.Hi));
        return Any(w2, reads) || Any(w2, writes) || Any(r2, writes);
    }

    private sealed class Node(PendingInstruction insn, int unit)
    {
        public PendingInstruction Insn { get; } = insn;

        public int Unit { get; } = unit;

        public int Pos { get; set; }

        /// <summary>Latest position, per source unit, this instruction must wait for (-1: none).</summary>
        public int[] Need { get; } = [-1, -1, -1];
    }

    private (List<PendingInstruction>, int[]) Run(IReadOnlyList<PendingInstruction> program)
    {
        var final = new List<Node>(program.Count + 64);
        var position = new int[program.Count];
        var sp = new Tracker(d.SpDepth);
        var acc = new Tracker(d.AccDepth);
        Tracker? dram = null;
        Node? lastEx = null;
        var reads = new List<(Space S, long Lo, long Hi)>();
        var writes = new List<(Space S, long Lo, long Hi)>();
        for (var i = 0; i < program.Count; i++)
        {
            var insn = program[i];
            var node = new Node(insn, (int)insn.Unit);
            reads.Clear();
            writes.Clear();
            Effects(insn, reads, writes);
            long maxLine = 0;
            foreach (var (space, _, hi) in reads.Concat(writes))
            {
                maxLine = space == Space.Dram ? Math.Max(maxLine, hi) : maxLine;
            }

            if (dram is null || maxLine > dram.Size)
            {
                dram = Tracker.Grow(dram, (int)Math.Max(maxLine, 1L << 16) * 2);
            }

            Tracker Of(Space s) => s switch { Space.Sp => sp, Space.Acc => acc, _ => dram };
            foreach (var (s, lo, hi) in reads)
            {
                Of(s).Read(node, lo, hi, final);
            }

            foreach (var (s, lo, hi) in writes)
            {
                Of(s).Write(node, lo, hi, final);
            }

            // Load <-> store hazards go through the execute unit.
            var indirect = node.Unit == Ld ? St : node.Unit == St ? Ld : -1;
            if (indirect >= 0 && node.Need[indirect] >= 0)
            {
                var source = node.Need[indirect];
                node.Need[indirect] = -1;
                if (lastEx is null || lastEx.Pos <= source)
                {
                    lastEx = new Node(Relay(), Ex);
                    lastEx.Pos = final.Count;
                    final.Add(lastEx);
                }

                lastEx.Need[indirect] = Math.Max(lastEx.Need[indirect], source);
                node.Need[Ex] = Math.Max(node.Need[Ex], lastEx.Pos);
            }

            node.Pos = final.Count;
            position[i] = node.Pos;
            final.Add(node);
            if (node.Unit == Ex)
            {
                lastEx = node;
            }

            foreach (var (s, lo, hi) in reads)
            {
                Of(s).NoteRead(node, lo, hi);
            }

            foreach (var (s, lo, hi) in writes)
            {
                Of(s).NoteWrite(node, lo, hi);
            }
        }

        // Tokens, channel by channel: pop only when the source is past what earlier pops covered.
        var covered = new Dictionary<(int, int), int>();
        foreach (var node in final)
        {
            for (var src = 0; src < 3; src++)
            {
                var need = node.Need[src];
                if (need < 0 || src == node.Unit)
                {
                    continue;
                }

                var key = (src, node.Unit);
                if (covered.TryGetValue(key, out var done) && need <= done)
                {
                    continue;
                }

                covered[key] = need;
                var from = final[need];
                var towardsNext = node.Unit > src;
                from.Insn.Set(towardsNext ? Tokens.PushNext : Tokens.PushPrev);
                node.Insn.Set(towardsNext ? Tokens.PopPrev : Tokens.PopNext);
            }
        }

        return (final.Select(n => n.Insn).ToList(), position);
    }

    private PendingInstruction Relay() =>
        PendingInstruction.Compute(d.SupportWs ? Dataflow.Ws : Dataflow.Os, ComputeMode.Overwrite, 1, 1, 0, 0,
            relayRow ?? throw new InvalidOperationException("compiler bug: a load/store hazard needs a relay compute, but the kernels use the relay row"));

    /// <summary>What an instruction reads and writes: scratchpad rows, accumulator rows, DRAM lines; half-open ranges.</summary>
    private void Effects(PendingInstruction pending, List<(Space, long, long)> reads, List<(Space, long, long)> writes)
    {
        var p = pending.View;
        switch (p.Opcode)
        {
            case Opcode.Load:
                {
                    var (rows, cols, local) = (p.Rows, p.Cols, p.LocalAddr);
                    Dram(reads, p.DramAddr, p.DramStride, rows, p.LoadRowBytes);
                    writes.Add(p.Target switch
                    {
                        LoadTarget.Scratchpad => (Space.Sp, local, local + rows),
                        LoadTarget.ScratchpadTransposed => (Space.Sp, local, local + cols),
                        _ => (Space.Acc, local, local + rows),
                    });
                    break;
                }

            case Opcode.Compute:
                {
                    // Weight-stationary reads A rows a..a+rows-1; output-stationary reads A transposed, rows a..a+k-1.
                    var (rows, c) = (p.Rows, p.CAddr);
                    reads.Add((Space.Sp, p.AAddr, p.AAddr + (p.Dataflow == Dataflow.Ws ? rows : p.K)));
                    reads.Add((Space.Sp, p.BAddr, p.BAddr + p.K));
                    if (p.Mode == ComputeMode.Accumulate)
                    {
                        reads.Add((Space.Acc, c, c + rows));
                    }
                    else if (p.Mode == ComputeMode.Bias)
                    {
                        reads.Add((Space.Acc, p.BiasAddr, p.BiasAddr + 1));
                    }

                    writes.Add((Space.Acc, c, c + rows));
                    break;
                }

            case Opcode.Store:
                reads.Add((Space.Acc, p.LocalAddr, p.LocalAddr + p.Rows));
                if (p.StoreFunc == StoreFunc.GeluColumn)
                {
                    reads.Add((Space.Acc, geluCols, geluCols + 2));
                }
                else if (p.ColMult)
                {
                    reads.Add((Space.Acc, requantCols, requantCols + 1));
                }

                Dram(writes, p.DramAddr, p.DramStride, p.Rows, p.Cols);
                break;
            case Opcode.ConfigPost:
                if (p.Reg == PostRegister.LnResidual)
                {
                    lnResidual = (long)p.Value;
                }
                else if (p.Reg == PostRegister.LnAffine)
                {
                    lnAffine = (long)p.Value;
                }
                else if (p.Reg == PostRegister.GeluCols)
                {
                    geluCols = (long)p.Value;
                }
                else if (p.Reg == PostRegister.RequantCols)
                {
                    requantCols = (long)p.Value;
                }
                else if (p.Reg == PostRegister.LnInShift)
                {
                    lnInShift = (long)p.Value;
                }

                break;
            case Opcode.Normalize:
                {
                    var blocks = (p.Width + d.Cols - 1) / d.Cols;
                    var span = blocks * p.Rows;
                    var local = p.LocalAddr;

                    // Conservative: a unit may write back into the rows it normalizes (and the residual it adds).
                    reads.Add((Space.Acc, local, local + span));
                    writes.Add((Space.Acc, local, local + span));
                    if (p.NormalizeFunc is NormalizeFunc.LayerNorm or NormalizeFunc.Add && lnResidual != 0)
                    {
                        reads.Add((Space.Acc, lnResidual - 1, lnResidual - 1 + span));
                        writes.Add((Space.Acc, lnResidual - 1, lnResidual - 1 + span));
                    }

                    if (p.NormalizeFunc == NormalizeFunc.LayerNorm || (p.NormalizeFunc == NormalizeFunc.Add && lnInShift != 0))
                    {
                        // Column mode (ln_in_shift ≠ 0, LayerNorm or add): three rows per block (γ with m, β, A).
                        reads.Add((Space.Acc, lnAffine, lnAffine + ((lnInShift == 0 ? 2 : 3) * blocks)));
                    }

                    Dram(writes, p.DramAddr, p.DramStride, p.Rows, p.NormalizeRowBytes);
                    break;
                }

            default:
                break;
        }
    }

    /// <summary>The 64-byte lines of <paramref name="rows"/> rows of <paramref name="bytes"/> bytes, one range per row.</summary>
    private static void Dram(List<(Space, long, long)> list, long addr, long stride, long rows, long bytes)
    {
        for (var r = 0; r < rows; r++)
        {
            var start = addr + (r * stride);
            list.Add((Space.Dram, start / LineBytes, ((start + bytes - 1) / LineBytes) + 1));
        }
    }

    /// <summary>Per element: the last writer and, per unit, the last reader (positions in the final program).</summary>
    private sealed class Tracker
    {
        private int[] writer;
        private int[][] reader;

        public Tracker(int size)
        {
            writer = Enumerable.Repeat(-1, size).ToArray();
            reader = [Enumerable.Repeat(-1, size).ToArray(), Enumerable.Repeat(-1, size).ToArray(), Enumerable.Repeat(-1, size).ToArray()];
        }

        public int Size => writer.Length;

        public static Tracker Grow(Tracker? old, int size)
        {
            var t = new Tracker(size);
            if (old is not null)
            {
                old.writer.CopyTo(t.writer, 0);
                for (var u = 0; u < 3; u++)
                {
                    old.reader[u].CopyTo(t.reader[u], 0);
                }
            }

            return t;
        }

        public void Read(Node node, long lo, long hi, List<Node> final)
        {
            for (var e = lo; e < hi; e++)
            {
                Need(node, writer[e], final);
            }
        }

        public void Write(Node node, long lo, long hi, List<Node> final)
        {
            for (var e = lo; e < hi; e++)
            {
                Need(node, writer[e], final);
                for (var u = 0; u < 3; u++)
                {
                    Need(node, reader[u][e], final);
                }
            }
        }

        public void NoteRead(Node node, long lo, long hi)
        {
            for (var e = lo; e < hi; e++)
            {
                reader[node.Unit][e] = node.Pos;
            }
        }

        public void NoteWrite(Node node, long lo, long hi)
        {
            for (var e = lo; e < hi; e++)
            {
                writer[e] = node.Pos;
            }
        }

        private static void Need(Node node, int pos, List<Node> final)
        {
            if (pos < 0)
            {
                return;
            }

            var unit = final[pos].Unit;
            if (unit != node.Unit && pos > node.Need[unit])
            {
                node.Need[unit] = pos;
            }
        }
    }
}
