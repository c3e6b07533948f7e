namespace HwGen.Models;

/// <summary>The mask search of the pruner (docs/pruning.md, "The mask search" and "The cycle budget").</summary>
public static partial class FisherPruning
{
    /// <summary>
    /// Masks that keep at most <paramref name="macFraction"/> of the model's MACs at the sample's mean sentence length,
    /// removing the heads and filters of least Fisher information per MAC first (a greedy answer to the diagonal
    /// approximation's knapsack), and never a layer's last head or filter.
    /// </summary>
    /// <exception cref="ModelException">A fraction outside (0, 1].</exception>
    public static PruneMasks Search(EncoderModel model, MaskImportance importance, double macFraction) =>
        Search(model, importance, new PruneBudget(macFraction, null), null);

    /// <summary>
    /// Masks that meet every part of <paramref name="budget"/>, removing the heads and filters of least Fisher
    /// information per unit of cost first: per modelled cycle when the budget has a cycle part (<paramref name="cycles"/>,
    /// the accelerator's performance model, <see cref="PruneCycleModel"/>), else per MAC. Without
    /// <paramref name="cycles"/> filters go one at a time. With it they go in blocks down to the next multiple of
    /// <see cref="PruneCosts.FilterBlock"/> (the layer's least important ones), so the kept filters fill the array's
    /// tiles; a block's cost is what its removal saves, which for cycles changes as a layer shrinks, so the candidates are
    /// re-priced after every step. A layer never loses its last head or filter (in blocks: its last block).
    /// </summary>
    /// <exception cref="ModelException">A budget outside (0, 1] or none, or a cycle budget without <paramref name="cycles"/>.</exception>
    public static PruneMasks Search(EncoderModel model, MaskImportance importance, PruneBudget budget, PruneCosts? cycles)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(importance);
        ArgumentNullException.ThrowIfNull(budget);
        if (budget.Error() is { } error)
        {
            throw new ModelException(error);
        }

        if (budget.Cycles is not null && cycles is null)
        {
            throw new ModelException("a cycle budget needs the accelerator's cycle model");
        }

        var macs = PruneCosts.Macs(model, importance.MeanTokens);
        var filterBlock = cycles?.FilterBlock ?? 1;
        var layers = model.Layers.Length;
        var heads = model.Layers.Select(l => l.Heads).ToArray();
        var filters = model.Layers.Select(l => l.FfnWidth).ToArray();
        var headOrder = importance.Heads.Select(Ascending).ToArray();
        var filterOrder = importance.Filters.Select(Ascending).ToArray();
        var (macTotal, cycleTotal) = (macs.Full, cycles?.Full ?? 0);
        var (macTarget, cycleTarget) = ((budget.Macs ?? 1) * macTotal, (budget.Cycles ?? 1) * cycleTotal);
        while ((budget.Macs is not null && macTotal > macTarget) || (budget.Cycles is not null && cycleTotal > cycleTarget))
        {
            (double Ratio, int Layer, bool Head, int Index, int Count)? best = null;
            // The price of a removal: what it saves of the budget's part(s). With both, each part is weighted by how far
            // it still is from its target (relative to the unpruned model), so the search spends on the part that binds.
            var (wMacs, wCycles) = (budget.Macs is null ? 0 : (macTotal - macTarget) / macs.Full, budget.Cycles is null ? 0 : (cycleTotal - cycleTarget) / cycles!.Full);
            double Price(double dMacs, double dCycles) =>
                budget.Cycles is null ? dMacs : budget.Macs is null ? dCycles : (Math.Max(wMacs, 0) * dMacs / macs.Full) + (Math.Max(wCycles, 0) * dCycles / cycles!.Full);
            void Offer(double fisher, double cost, int layer, bool head, int index, int count)
            {
                var c = (fisher / Math.Max(cost, 1e-300), layer, head, index, count);
                if (best is not { } b || c.CompareTo(b) < 0)
                {
                    best = c;
                }
            }

            for (var i = 0; i < layers; i++)
            {
                if (heads[i] > 1)
                {
                    var next = headOrder[i][model.Layers[i].Heads - heads[i]];
                    Offer(importance.Heads[i][next], Price(Saves(macs.Heads[i], heads[i], 1), Saves(cycles?.Heads[i], heads[i], 1)), i, true, next, 1);
                }

                var block = filters[i] % filterBlock == 0 ? filterBlock : filters[i] % filterBlock;
                if (filters[i] - block >= 1)
                {
                    var removed = model.Layers[i].FfnWidth - filters[i];
                    var fisher = filterOrder[i].Skip(removed).Take(block).Sum(j => importance.Filters[i][j]);
                    Offer(fisher, Price(Saves(macs.Filters[i], filters[i], block), Saves(cycles?.Filters[i], filters[i], block)), i, false, filterOrder[i][removed], block);
                }
            }

            if (best is not { } chosen)
            {
                break;
            }

            var (l, count) = (chosen.Layer, chosen.Count);
            if (chosen.Head)
            {
                macTotal -= Saves(macs.Heads[l], heads[l], 1);
                cycleTotal -= Saves(cycles?.Heads[l], heads[l], 1);
                heads[l]--;
            }
            else
            {
                macTotal -= Saves(macs.Filters[l], filters[l], count);
                cycleTotal -= Saves(cycles?.Filters[l], filters[l], count);
                filters[l] -= count;
            }
        }

        return new PruneMasks(Enumerable.Range(0, layers).Select(i => new PruneMasks.Entry(
            headOrder[i].Skip(model.Layers[i].Heads - heads[i]).Order().ToArray(),
            filterOrder[i].Skip(model.Layers[i].FfnWidth - filters[i]).Order().ToArray())).ToArray());
    }

    // What removing `count` of `kept` saves by a cost table (0 without one).
    private static double Saves(double[]? table, int kept, int count) => table is null ? 0 : table[kept] - table[kept - count];

    // Indices from least to most important (ties: the lower index first).
    private static int[] Ascending(double[] fisher) => Enumerable.Range(0, fisher.Length).OrderBy(j => fisher[j]).ThenBy(j => j).ToArray();

    /// <summary>The share of the Fisher information (the diagonal's sum) of the heads and of the filters that <paramref name="masks"/> remove.</summary>
    public static (double Heads, double Filters) Removed(MaskImportance importance, PruneMasks masks, EncoderModel model)
    {
        ArgumentNullException.ThrowIfNull(importance);
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(model);
        double Share(double[][] all, Func<int, IReadOnlyList<int>> kept) =>
            1 - (all.Select((a, i) => kept(i).Sum(j => a[j])).Sum() / all.Sum(a => a.Sum()));
        return (Share(importance.Heads, i => masks.Mask(i, model.Layers[i]).Heads), Share(importance.Filters, i => masks.Mask(i, model.Layers[i]).Filters));
    }
}
