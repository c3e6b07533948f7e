using System.Globalization;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>
/// Learned-threshold token pruning of a layer stack (Kim et al., 2022; docs/pruning.md): at each point, after layer
/// <c>AfterLayer</c> (1-based), a token whose importance (the attention it receives: the column sum of that layer's
/// probabilities P, averaged over heads and query rows) is below the point's threshold leaves the sequence for every
/// following layer. [CLS] (token 0) is never pruned. A point gives its threshold, or a budget: the fraction of the
/// tokens reaching it to keep, and the threshold is found on the run (the importance of the last token kept).
/// </summary>
/// <param name="Points">The pruning points, by ascending layer.</param>
public sealed record TokenPruning(IReadOnlyList<TokenPrunePoint> Points)
{
    /// <summary>The form of the option, for error messages.</summary>
    public const string Usage = "LAYER:keep=F, LAYER:threshold=T or LAYER:relative=R, comma-separated (e.g. 2:keep=0.5)";

    /// <summary>No pruning (the unpruned stack run the same way).</summary>
    public static TokenPruning None { get; } = new([]);

    /// <summary>The point after layer <paramref name="layer"/> (1-based), or null.</summary>
    public TokenPrunePoint? After(int layer) => Points.FirstOrDefault(p => p.AfterLayer == layer);

    /// <summary>
    /// Parses <c>2:keep=0.5</c> (after layer 2 keep half the tokens, threshold found on the run) or
    /// <c>1:threshold=0.02,3:threshold=0.05</c> (explicit thresholds on the importance, a probability in 0..1) for a stack of
    /// <paramref name="layers"/> layers.
    /// </summary>
    /// <exception cref="FormatException">A one-line error naming the bad item: syntax, a layer out of 1..layers−1 or
    /// given twice, a negative value or one above 1, or keep=0 (which would prune [CLS]).</exception>
    public static TokenPruning Parse(string text, int layers)
    {
        ArgumentNullException.ThrowIfNull(text);
        var inv = CultureInfo.InvariantCulture;
        if (layers < 2)
        {
            throw new FormatException(string.Create(inv, $"--prune-tokens needs a stack of at least 2 layers (tokens are pruned after a layer and before the next), got layers={layers}"));
        }

        var points = new List<TokenPrunePoint>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = item.IndexOf(':', StringComparison.Ordinal);
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (colon <= 0 || eq < colon || !int.TryParse(item.AsSpan(0, colon), NumberStyles.AllowLeadingSign, inv, out var layer)
                || !double.TryParse(item.AsSpan(eq + 1), NumberStyles.Float, inv, out var value) || !double.IsFinite(value))
            {
                throw new FormatException($"--prune-tokens: '{item}' is not {Usage}");
            }

            var kind = item[(colon + 1)..eq].Trim();
            if (kind is not ("keep" or "threshold" or "relative"))
            {
                throw new FormatException($"--prune-tokens: '{item}': '{kind}' is neither keep nor threshold nor relative; expected {Usage}");
            }

            if (layer < 1 || layer >= layers)
            {
                throw new FormatException(string.Create(inv,
                    $"--prune-tokens: '{item}': layer {layer} is out of range 1..{layers - 1} (tokens are pruned after a layer and before the next; the stack has {layers} layers)"));
            }

            if (points.Any(p => p.AfterLayer == layer))
            {
                throw new FormatException(string.Create(inv, $"--prune-tokens: '{item}': layer {layer} is given twice"));
            }

            if (value < 0)
            {
                throw new FormatException($"--prune-tokens: '{item}': {kind} is negative");
            }

            if (value > 1 && kind != "relative")
            {
                throw new FormatException(kind == "keep"
                    ? $"--prune-tokens: '{item}': keep is more than 1 (it is the fraction of the tokens reaching layer {layer} to keep)"
                    : $"--prune-tokens: '{item}': threshold is more than 1 (the importance is an attention probability averaged over heads and rows, at most 1)");
            }

            if (kind == "keep" && value == 0)
            {
                throw new FormatException($"--prune-tokens: '{item}': keep=0 would prune [CLS] (token 0 is never pruned); keep a fraction above 0");
            }

            points.Add(kind == "keep" ? new TokenPrunePoint(layer, value, null) : new TokenPrunePoint(layer, null, value) { Relative = kind == "relative" });
        }

        return new TokenPruning(points.OrderBy(p => p.AfterLayer).ToList());
    }

    /// <summary>
    /// Each token's importance from one layer's int8 probabilities <paramref name="p"/> (heads·n rows of n, head-major, as
    /// the program stores P): the column sums averaged over heads and rows, as a probability.
    /// </summary>
    public static double[] Importance(long[] p, int heads, int n)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Length != (long)heads * n * n)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"P has {p.Length} values, not heads·n·n = {heads}·{n}·{n}"), nameof(p));
        }

        var sums = new long[n];
        for (var r = 0; r < heads * n; r++)
        {
            for (var j = 0; j < n; j++)
            {
                sums[j] += p[((long)r * n) + j];
            }
        }

        return sums.Select(s => s * IntSoftmaxConstants.OutputScale / (heads * n)).ToArray();
    }

    /// <summary>
    /// The positions kept at <paramref name="point"/> (ascending, always including 0) and the threshold applied: with a
    /// threshold, every token whose importance is at least it; with a budget, [CLS] and the round(keep·n)−1 most important
    /// other tokens (ties to the earlier token), the threshold being the importance of the last of them.
    /// </summary>
    public static (int[] Kept, double Threshold) Select(TokenPrunePoint point, double[] importance)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(importance);
        var n = importance.Length;
        if (point.Threshold is { } t)
        {
            // A relative threshold is on n × the importance: the attention received against the mean 1/n.
            var scale = point.Relative ? n : 1.0;
            return (Enumerable.Range(0, n).Where(j => j == 0 || importance[j] * scale >= t).ToArray(), t);
        }

        var k = Math.Clamp((int)Math.Round(point.Keep!.Value * n, MidpointRounding.AwayFromZero), 1, n);
        var others = Enumerable.Range(1, n - 1).OrderByDescending(j => importance[j]).ThenBy(j => j).Take(k - 1).ToList();
        var threshold = others.Count == 0 ? Math.BitIncrement(importance.Skip(1).DefaultIfEmpty(0).Max()) : importance[others[^1]];
        return ([0, .. others.Order()], threshold);
    }

    /// <summary>
    /// The tokens kept at <paramref name="point"/> in sequences of <paramref name="lengths"/> tokens packed back to back,
    /// each chosen from its own probabilities (<paramref name="p"/>[b], heads·n·n) as <see cref="Select"/> does: every
    /// sequence keeps its own first token ([CLS]) and, with a budget, its own fraction of its tokens; no token of one
    /// sequence competes with another's. Returns the kept rows (packed positions, ascending), the kept lengths, each
    /// sequence's threshold and every token's importance (packed order).
    /// </summary>
    public static (int[] Rows, int[] Lengths, double[] Thresholds, double[] Importance) SelectPacked(TokenPrunePoint point, IReadOnlyList<long[]> p, int heads, IReadOnlyList<int> lengths)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(lengths);
        var (rows, kept, thresholds, importance) = (new List<int>(), new int[lengths.Count], new double[lengths.Count], new List<double>());
        var first = 0;
        for (var b = 0; b < lengths.Count; b++)
        {
            var imp = Importance(p[b], heads, lengths[b]);
            var (k, t) = Select(point, imp);
            rows.AddRange(k.Select(r => first + r));
            (kept[b], thresholds[b]) = (k.Length, t);
            importance.AddRange(imp);
            first += lengths[b];
        }

        return ([.. rows], kept, thresholds, [.. importance]);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(',', Points.Select(p => p.ToString()));
}
