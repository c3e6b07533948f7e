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
    public const int LoadToExecute = (int)TokenChannel.LoadToExecute, ExecuteToLoad = (int)TokenChannel.ExecuteToLoad,
        ExecuteToStore = (int)TokenChannel.ExecuteToStore, StoreToExecute = (int)TokenChannel.StoreToExecute;

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
        var view = new InstructionView(insn);
        for (var bit = 0; bit < IsaFields.TokenFields.Count; bit++)
        {
            var flag = (Tokens)(1 << bit);
            if ((view.Tokens & flag) != 0 && InstructionView.Channel(view.Unit, flag) is null)
            {
                errors.Add($"instruction {pc} ({insn.Format.Mnemonic}): {IsaFields.TokenFields[bit]} has no meaning for the {view.Unit} unit");
            }
        }

        return (view.Unit, view.Pops.Select(c => (int)c).ToArray(), view.Pushes.Select(c => (int)c).ToArray());
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
