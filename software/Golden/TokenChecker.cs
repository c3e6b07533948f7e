using HwGen.Generator.Design;
using HwGen.Generator.Isa;

namespace HwGen.Software.Golden;

/// <summary>
/// Checks the dependency-token protocol of a program under decoupled execution: an in-order
/// dispatcher fills three bounded queues (load, execute, store); each unit starts its head
/// instruction when every token it pops is available (popping them) and pushes its tokens when it
/// completes. Completion is taken as instantaneous, which does not change whether a deadlock can
/// happen (a started instruction always completes). Three schedules are explored — each unit
/// in turn running as far ahead as it can — and any deadlock or counter above 255 is an error.
/// </summary>
public static class TokenChecker
{
    /// <summary>Counter indices.</summary>
    public const int LoadToExecute = 0, ExecuteToLoad = 1, ExecuteToStore = 2, StoreToExecute = 3;

    /// <summary>Hardware counter limit.</summary>
    public const int CounterMax = 255;

    private static readonly string[] CounterNames = ["LD->EX", "EX->LD", "EX->ST", "ST->EX"];

    /// <summary>Checks a program for a design (the queue depths come from the design).</summary>
    public static TokenCheckResult Check(DesignModel design, IReadOnlyList<Instruction> program)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(program);
        var errors = new List<string>();
        var ops = new (Unit Unit, int[] Pops, int[] Pushes)[program.Count];
        for (var pc = 0; pc < program.Count; pc++)
        {
            ops[pc] = Tokens(program[pc], pc, errors);
        }

        int[] depths = [design.LoadQueueDepth, design.ExecQueueDepth, design.StoreQueueDepth];
        var max = new int[4];
        var final = new int[4];
        foreach (var first in new[] { Unit.Load, Unit.Execute, Unit.Store })
        {
            var (counters, maxes, deadlock) = Simulate(ops, depths, first);
            for (var c = 0; c < 4; c++)
            {
                max[c] = Math.Max(max[c], maxes[c]);
                final[c] = counters[c];
            }

            if (deadlock is not null && !errors.Contains(deadlock))
            {
                errors.Add(deadlock);
            }
        }

        for (var c = 0; c < 4; c++)
        {
            if (max[c] > CounterMax)
            {
                errors.Add($"token counter {CounterNames[c]} reaches {max[c]}, above the hardware limit {CounterMax}");
            }
        }

        return new TokenCheckResult(errors, max, final);
    }

    private static (Unit, int[], int[]) Tokens(Instruction insn, int pc, List<string> errors)
    {
        bool F(string name) => insn[name] == 1;
        var pops = new List<int>();
        var pushes = new List<int>();
        var unit = insn.Format.Unit;
        void Meaningless(string flag) => errors.Add($"instruction {pc} ({insn.Format.Mnemonic}): {flag} has no meaning for the {unit} unit");
        switch (unit)
        {
            case Unit.Load:
                if (F("pop_prev")) { Meaningless("pop_prev"); }
                if (F("push_prev")) { Meaningless("push_prev"); }
                if (F("pop_next")) { pops.Add(ExecuteToLoad); }
                if (F("push_next")) { pushes.Add(LoadToExecute); }
                break;
            case Unit.Execute:
                if (F("pop_prev")) { pops.Add(LoadToExecute); }
                if (F("pop_next")) { pops.Add(StoreToExecute); }
                if (F("push_prev")) { pushes.Add(ExecuteToLoad); }
                if (F("push_next")) { pushes.Add(ExecuteToStore); }
                break;
            default:
                if (F("pop_next")) { Meaningless("pop_next"); }
                if (F("push_next")) { Meaningless("push_next"); }
                if (F("pop_prev")) { pops.Add(ExecuteToStore); }
                if (F("push_prev")) { pushes.Add(StoreToExecute); }
                break;
        }

        return (unit, pops.ToArray(), pushes.ToArray());
    }

    private static (int[] Counters, int[] Max, string? Deadlock) Simulate((Unit Unit, int[] Pops, int[] Pushes)[] ops, int[] depths, Unit first)
    {
        var queues = new[] { new Queue<int>(), new Queue<int>(), new Queue<int>() };
        var counters = new int[4];
        var max = new int[4];
        var next = 0;
        Unit[] order = [first, (Unit)(((int)first + 1) % 3), (Unit)(((int)first + 2) % 3)];
        while (true)
        {
            var progress = false;
            while (next < ops.Length && queues[(int)ops[next].Unit].Count < depths[(int)ops[next].Unit])
            {
                queues[(int)ops[next].Unit].Enqueue(next++);
                progress = true;
            }

            foreach (var u in order)
            {
                var q = queues[(int)u];
                if (q.Count > 0 && ops[q.Peek()].Pops.All(c => counters[c] > 0))
                {
                    var op = ops[q.Dequeue()];
                    foreach (var c in op.Pops)
                    {
                        counters[c]--;
                    }

                    foreach (var c in op.Pushes)
                    {
                        counters[c]++;
                        max[c] = Math.Max(max[c], counters[c]);
                    }

                    progress = true;
                    break; // re-dispatch, then give the preferred unit the next turn
                }
            }

            if (next == ops.Length && queues.All(q => q.Count == 0))
            {
                return (counters, max, null);
            }

            if (!progress)
            {
                var heads = string.Join(", ", Enumerable.Range(0, 3).Where(u => queues[u].Count > 0)
                    .Select(u => $"{(Unit)u} unit waits at instruction {queues[u].Peek()} for {string.Join("+", ops[queues[u].Peek()].Pops.Where(c => counters[c] == 0).Select(c => CounterNames[c]))}"));
                return (counters, max, $"deadlock: {heads}" + (next < ops.Length ? $"; dispatch blocked at instruction {next} (full {ops[next].Unit} queue)" : string.Empty));
            }
        }
    }
}
