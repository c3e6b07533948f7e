namespace HwGen.Models;

/// <summary>The mask rearrangement step of the pruner (docs/pruning.md, "Mask rearrangement").</summary>
public static partial class FisherPruning
{
    /// <summary>
    /// Mask rearrangement (Kwon et al.'s second step), layer by layer: keeps each layer's numbers of heads and filters
    /// (so the budget and the tile alignment stay as they are) but chooses which ones by the layer's block of the Fisher
    /// information instead of its diagonal. Removing the set R costs about Σ_{i,j∈R} F_ij, which is the mean over the
    /// samples of (Σ_{i∈R} g_i)², with g a sample's gradient (<see cref="MaskImportance.Samples"/>): masks whose gradients
    /// cancel are cheaper to remove together than their diagonals say, masks that duplicate each other dearer. The set is
    /// built greedily (each step removes the head or filter, of a kind still to be removed, that adds least to the loss);
    /// a layer keeps the search's choice when that has the lower loss.
    /// </summary>
    /// <exception cref="ModelException">Importance without samples, or masks that do not fit the model.</exception>
    public static PruneMasks Rearrange(EncoderModel model, MaskImportance importance, PruneMasks masks)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(importance);
        ArgumentNullException.ThrowIfNull(masks);
        if (importance.Samples is not { } samples)
        {
            throw new ModelException("mask rearrangement needs the Fisher information's per-sample gradients");
        }

        _ = masks.Apply(model, "masks");
        var entries = new List<PruneMasks.Entry>();
        for (var i = 0; i < model.Layers.Length; i++)
        {
            var (heads, width) = (model.Layers[i].Heads, model.Layers[i].Heads + model.Layers[i].FfnWidth);
            var mask = masks.Mask(i, model.Layers[i]);
            var kept = mask.Heads.Concat(mask.Filters.Select(f => heads + f)).ToHashSet();
            var searched = Enumerable.Range(0, width).Where(j => !kept.Contains(j)).ToArray();
            var built = Build(samples[i], heads, width, heads - mask.Heads.Count, model.Layers[i].FfnWidth - mask.Filters.Count);
            var removed = Loss(samples[i], built) < Loss(samples[i], searched) ? built.ToHashSet() : searched.ToHashSet();
            entries.Add(new PruneMasks.Entry(
                Enumerable.Range(0, heads).Where(j => !removed.Contains(j)).ToArray(),
                Enumerable.Range(0, width - heads).Where(f => !removed.Contains(heads + f)).ToArray()));
        }

        return new PruneMasks(entries);
    }

    /// <summary>The block-diagonal loss of removing <paramref name="removed"/> (indices into a sample: heads, then filters).</summary>
    public static double Loss(double[][] samples, IReadOnlyList<int> removed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(removed);
        return samples.Average(g => Math.Pow(removed.Sum(j => g[j]), 2));
    }

    // Greedy: remove `dropHeads` of the first `heads` entries and `dropFilters` of the rest, each step the one that adds
    // least to Σ_s (s_s + g_sj)² − Σ_s s_s² = Σ_s (2·s_s·g_sj + g_sj²).
    private static int[] Build(double[][] samples, int heads, int width, int dropHeads, int dropFilters)
    {
        var n = samples.Length;
        var column = new double[width][];
        for (var j = 0; j < width; j++)
        {
            column[j] = new double[n];
            for (var s = 0; s < n; s++)
            {
                column[j][s] = samples[s][j];
            }
        }

        var sum = new double[n];
        var removed = new List<int>();
        var taken = new bool[width];
        var (leftHeads, leftFilters) = (dropHeads, dropFilters);
        while (leftHeads + leftFilters > 0)
        {
            var (best, bestCost) = (-1, double.PositiveInfinity);
            for (var j = 0; j < width; j++)
            {
                if (taken[j] || (j < heads ? leftHeads : leftFilters) == 0)
                {
                    continue;
                }

                var g = column[j];
                var cost = 0.0;
                for (var s = 0; s < n; s++)
                {
                    cost += g[s] * ((2 * sum[s]) + g[s]);
                }

                if (cost < bestCost)
                {
                    (best, bestCost) = (j, cost);
                }
            }

            taken[best] = true;
            removed.Add(best);
            for (var s = 0; s < n; s++)
            {
                sum[s] += column[best][s];
            }

            if (best < heads)
            {
                leftHeads--;
            }
            else
            {
                leftFilters--;
            }
        }

        return removed.ToArray();
    }
}
