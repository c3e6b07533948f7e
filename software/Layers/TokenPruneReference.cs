using System.Globalization;

namespace HwGen.Software.Layers;

/// <summary>
/// The untiled reference of a token-pruned stack, independent of the compiler: the integer layer reference
/// (<see cref="IntLayerReference"/>) run on the kept rows, the kept tokens chosen from its own probabilities (per packed
/// sentence, as <see cref="TokenPruning.SelectPacked"/>); int8 or per-column (int16 residual stream) stacks.
/// </summary>
public static class TokenPruneReference
{
    /// <summary>Per layer: the tokens it runs on, its stored output Y (int16 values on the per-column datapath), and the tokens the following layers keep.</summary>
    public static IReadOnlyList<(IReadOnlyList<int> Tokens, long[] Y, IReadOnlyList<int> Kept)> Run(IReadOnlyList<QuantizedLayer> stack, TokenPruning plan)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(plan);
        var list = new List<(IReadOnlyList<int>, long[], IReadOnlyList<int>)>();
        IReadOnlyList<int> tokens = Enumerable.Range(0, stack[0].Spec.Seq).ToArray();
        IReadOnlyList<int> lengths = stack[0].Spec.Segments;
        var (x, x16) = (stack[0].X, stack[0].Columns?.X16);
        for (var i = 0; i < stack.Count; i++)
        {
            var spec = stack[i].Spec.Pack(lengths);
            var q = stack[i] with { Spec = spec, X = x };
            if (q.Columns is { } c)
            {
                q = q with { Columns = c with { X16 = x16! } };
            }

            var a = IntLayerReference.Run(q);
            var (kept, rows) = (tokens, Enumerable.Range(0, tokens.Count).ToArray());
            if (plan.After(i + 1) is { } point)
            {
                var (p, at) = (new List<long[]>(), 0);
                foreach (var n in lengths)
                {
                    p.Add(a.P.AsSpan(at, spec.Heads * n * n).ToArray().Select(v => (long)v).ToArray());
                    at += spec.Heads * n * n;
                }

                (rows, var keptLengths, _, _) = TokenPruning.SelectPacked(point, p, spec.Heads, lengths);
                kept = rows.Select(r => tokens[r]).ToArray();
                lengths = keptLengths;
            }

            list.Add((tokens, a.StoredY, kept));
            x = rows.SelectMany(r => a.Y.Skip(r * spec.Hidden).Take(spec.Hidden)).ToArray();
            x16 = a.YWide is { } w ? rows.SelectMany(r => w.Skip(r * spec.Hidden).Take(spec.Hidden)).ToArray() : null;
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

            if (run[i].Y.Length != y.Length)
            {
                return string.Create(inv, $"layer {i + 1}: Y has {run[i].Y.Length} values, the reference {y.Length}");
            }

            var at = Enumerable.Range(0, y.Length).FirstOrDefault(k => run[i].Y[k] != y[k], -1);
            if (at >= 0)
            {
                return string.Create(inv, $"layer {i + 1}: Y[{at / stack[i].Spec.Hidden}, {at % stack[i].Spec.Hidden}] is {run[i].Y[at]}, the reference {y[at]}");
            }
        }

        return null;
    }
}
