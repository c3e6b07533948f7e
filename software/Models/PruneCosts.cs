namespace HwGen.Models;

/// <summary>
/// What each layer of an encoder costs as a function of the heads and filters it keeps, for the mask search
/// (<see cref="FisherPruning.Search(EncoderModel, MaskImportance, PruneBudget, PruneCosts)"/>): MACs at a sentence
/// length, or the performance model's cycles on an accelerator (<see cref="PruneCycleModel"/>). A layer costs
/// <c>Heads[i][h] + Filters[i][f]</c> with h heads and f filters kept; index 0 is never used (a layer keeps one of each).
/// </summary>
/// <param name="Unit">What the costs count ("MACs" or "cycles").</param>
/// <param name="Heads">Per layer, the cost of the attention part (Q/K/V, attention, output projection) with h heads, h = 0..heads.</param>
/// <param name="Filters">Per layer, the cost of the FFN with f filters, f = 0..filters.</param>
/// <param name="FilterBlock">
/// Filters are removed down to the next multiple of this (1: one at a time). The cycle model removes whole array tiles
/// (the array's columns): a partial tile takes as long as a full one, so removing part of one saves nothing.
/// </param>
public sealed record PruneCosts(string Unit, double[][] Heads, double[][] Filters, int FilterBlock)
{
    /// <summary>The MAC costs at <paramref name="meanTokens"/> tokens a sentence (head: 4·n·hidden·d + 2·n²·d; filter: 2·n·hidden), one filter at a time.</summary>
    public static PruneCosts Macs(EncoderModel model, double meanTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (n, h) = (meanTokens, (double)model.Hidden);
        return new PruneCosts(
            "MACs",
            model.Layers.Select(l => Enumerable.Range(0, l.Heads + 1).Select(k => k * ((4 * n * h * l.HeadDim) + (2 * n * n * l.HeadDim))).ToArray()).ToArray(),
            model.Layers.Select(l => Enumerable.Range(0, l.FfnWidth + 1).Select(k => k * 2 * n * h).ToArray()).ToArray(),
            1);
    }

    /// <summary>The model's cost with <paramref name="heads"/>[i] heads and <paramref name="filters"/>[i] filters kept in layer i.</summary>
    public double Total(IReadOnlyList<int> heads, IReadOnlyList<int> filters)
    {
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentNullException.ThrowIfNull(filters);
        return Enumerable.Range(0, Heads.Length).Sum(i => Heads[i][heads[i]] + Filters[i][filters[i]]);
    }

    /// <summary>The unpruned model's cost.</summary>
    public double Full => Total(Heads.Select(a => a.Length - 1).ToArray(), Filters.Select(a => a.Length - 1).ToArray());
}
