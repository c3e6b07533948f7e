using System.Globalization;

namespace HwGen.Software.Layers;

/// <summary>
/// The untiled reference of a token-pruned stack, independent of the compiler: the integer layer reference
/// (<see cref="IntLayerReference"/>) run on the kept rows, the kept tokens chosen from its own probabilities.
/// </summary>
public static class TokenPruneReference
{
    /// <summary>Per layer: the tokens it runs on, its output Y, and the tokens the following layers keep.</summary>
    public static IReadOnlyList<(IReadOnlyList<int> Tokens, sbyte[] Y, IReadOnlyList<int> Kept)> Run(IReadOnlyList<QuantizedLayer> stack, TokenPruning plan)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(plan);
        var list = new List<(IReadOnlyList<int>, sbyte[], IReadOnlyList<int>)>();
        IReadOnlyList<int> tokens = Enumerable.Range(0, stack[0].Spec.Seq).ToArray();
        var x = stack[0].X;
        for (var i = 0; i < stack.Count; i++)
        {
            var spec = stack[i].Spec with { Seq = tokens.Count };
            var a = IntLayerReference.Run(stack[i] with { Spec = spec, X = x });
            var (kept, rows) = (tokens, Enumerable.Range(0, tokens.Count).ToArray());
            if (plan.After(i + 1) is { } point)
            {
                rows = TokenPruning.Select(point, TokenPruning.Importance(a.P.Select(v => (long)v).ToArray(), spec.Heads, tokens.Count)).Kept;
                kept = rows.Select(r => tokens[r]).ToArray();
            }

            list.Add((tokens, a.Y, kept));
            x = rows.SelectMany(r => a.Y.Skip(r * spec.Hidden).Take(spec.Hidden)).ToArray();
            tokens = kept;
        }

        return list;
    }

    /// <summary>The first disagreement of a run with the reference (kept tokens or an output value), or null.</summary>
    public static string? Check(IReadOnlyList<TokenPruneLayer> run, IReadOnlyList<QuantizedLayer> stack, TokenPruning plan)
    {
        ArgumentNullException.ThrowIfNull(run);
        var reference = Run(stack, plan);
        var inv = CultureInfo.InvariantCulture;
        for (var i = 0; i < run.Count; i++)
        {
            var (tokens, y, kept) = reference[i];
            if (!run[i].Tokens.SequenceEqual(tokens) || !run[i].Kept.SequenceEqual(kept))
            {
                return string.Create(inv, $"layer {i + 1}: the accelerator kept tokens [{string.Join(' ', run[i].Kept)}], the reference [{string.Join(' ', kept)}]");
            }

            var at = Enumerable.Range(0, y.Length).FirstOrDefault(k => run[i].Y[k] != y[k], -1);
            if (run[i].Y.Length != y.Length || at >= 0)
            {
                return at < 0
                    ? string.Create(inv, $"layer {i + 1}: Y has {run[i].Y.Length} values, the reference {y.Length}")
                    : string.Create(inv, $"layer {i + 1}: Y[{at / stack[i].Spec.Hidden}, {at % stack[i].Spec.Hidden}] is {run[i].Y[at]}, the reference {y[at]}");
            }
        }

        return null;
    }
}
