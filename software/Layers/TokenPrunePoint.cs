using System.Globalization;

namespace HwGen.Software.Layers;

/// <summary>One point of <see cref="TokenPruning"/>: after layer <paramref name="AfterLayer"/> (1-based), keep a fraction
/// <paramref name="Keep"/> of the tokens (threshold found on the run) or the tokens whose importance reaches
/// <paramref name="Threshold"/>; exactly one of the two is given.</summary>
/// <param name="AfterLayer">The layer whose probabilities decide, 1-based; the following layers run on the kept tokens.</param>
/// <param name="Keep">The budget: the fraction of the tokens reaching the point to keep, in (0, 1].</param>
/// <param name="Threshold">The importance threshold, in [0, 1].</param>
public sealed record TokenPrunePoint(int AfterLayer, double? Keep, double? Threshold)
{
    /// <summary>
    /// True: <see cref="Threshold"/> is on n × the importance (<c>relative=R</c>: the attention a token receives against
    /// the mean 1/n over the n tokens of its sequence), so one threshold means the same on short and long sentences.
    /// </summary>
    public bool Relative { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Keep is { } k
        ? string.Create(CultureInfo.InvariantCulture, $"{AfterLayer}:keep={k}")
        : string.Create(CultureInfo.InvariantCulture, $"{AfterLayer}:{(Relative ? "relative" : "threshold")}={Threshold}");
}
