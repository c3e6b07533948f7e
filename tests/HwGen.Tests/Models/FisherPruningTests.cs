using HwGen.Models;
using Xunit.Abstractions;

namespace HwGen.Tests.Models;

/// <summary>The pruner's first step on MiniLM: Fisher information of the mask variables and the mask search under a MAC budget.</summary>
public sealed class FisherPruningTests(EncoderLoweringTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<EncoderLoweringTests.Fixture>
{
    [Fact]
    public void Masks_from_the_fisher_information_keep_the_budget_and_beat_the_same_shapes_kept_from_the_front()
    {
        // Arrange: the Fisher diagonal on 6 calibration sentences, 4 projections each.
        var m = fixture.Session.Model;
        var sample = fixture.Calibration.Take(6).ToList();

        // Act
        var importance = FisherPruning.Importance(m, sample, 4, 1);
        var masks = FisherPruning.Search(m, importance, 0.6);
        var pruned = masks.Apply(m, "fisher");
        var naive = new PruneMasks(pruned.Layers.Select(l => new PruneMasks.Entry(Enumerable.Range(0, l.Heads).ToArray(), Enumerable.Range(0, l.FfnWidth).ToArray())).ToArray()).Apply(m, "naive");
        var results = fixture.Session.Evaluate(MiniLmTests.Sentences, new FloatEncoder(pruned), new FloatEncoder(naive), Pooling.Mean);

        // Assert: at most 60 % of the MACs, every layer keeps a head and a filter, and the Fisher choice is the better one.
        var n = importance.MeanTokens;
        double Macs(EncoderModel e) => e.Layers.Sum(l => (l.Heads * ((4 * n * m.Hidden * l.HeadDim) + (2 * n * n * l.HeadDim))) + (l.FfnWidth * 2 * n * m.Hidden));
        Assert.InRange(Macs(pruned) / Macs(m), 0.55, 0.6);
        Assert.All(pruned.Layers, l => Assert.True(l.Heads >= 1 && l.FfnWidth >= 1));
        Assert.All(importance.Heads.SelectMany(v => v).Concat(importance.Filters.SelectMany(v => v)), v => Assert.True(v >= 0));
        output.WriteLine($"Fisher masks {results.Average(r => r.FloatCosine):F4}, the same shapes from the front {results.Average(r => r.QuantCosine):F4}");
        Assert.True(results.Average(r => r.FloatCosine) > results.Average(r => r.QuantCosine) + 0.03,
            $"Fisher masks {results.Average(r => r.FloatCosine):F4} vs the same shapes from the front {results.Average(r => r.QuantCosine):F4}");
    }

    [Fact]
    public void The_importance_is_deterministic_for_a_seed_and_a_budget_outside_0_to_1_is_refused()
    {
        // Arrange
        var m = fixture.Session.Model;
        var sample = fixture.Calibration.Take(1).ToList();

        // Act
        var a = FisherPruning.Importance(m, sample, 1, 7);
        var b = FisherPruning.Importance(m, sample, 1, 7);
        var e = Assert.Throws<ModelException>(() => FisherPruning.Search(m, a, 1.5));

        // Assert
        Assert.Equal(a.Heads.SelectMany(v => v), b.Heads.SelectMany(v => v));
        Assert.Contains("fraction in (0, 1]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_the_accelerator_s_tiles_every_layer_keeps_whole_tiles_of_filters_within_the_mac_budget()
    {
        // Arrange: a cycle model that prices like MACs but removes filters in blocks of 16.
        var m = fixture.Session.Model;
        var importance = FisherPruning.Importance(m, fixture.Calibration.Take(2).ToList(), 1, 3);
        var tiles = PruneCosts.Macs(m, importance.MeanTokens) with { Unit = "cycles", FilterBlock = 16 };

        // Act
        var free = FisherPruning.Search(m, importance, 0.6).Apply(m, "free");
        var aligned = FisherPruning.Search(m, importance, new PruneBudget(0.6, null), tiles);
        var pruned = aligned.Apply(m, "aligned");

        // Assert
        var macs = PruneCosts.Macs(m, importance.MeanTokens);
        double Kept(EncoderModel e) => macs.Total(e.Layers.Select(l => l.Heads).ToArray(), e.Layers.Select(l => l.FfnWidth).ToArray()) / macs.Full;
        Assert.InRange(Kept(pruned), 0.58, 0.6);
        Assert.All(pruned.Layers, l => Assert.Equal(0, l.FfnWidth % 16));
        Assert.Contains(free.Layers, l => l.FfnWidth % 16 != 0);
        var (_, alignedLoss) = FisherPruning.Removed(importance, aligned, m);
        var (_, freeLoss) = FisherPruning.Removed(importance, FisherPruning.Search(m, importance, 0.6), m);
        output.WriteLine($"filters' Fisher information removed: {freeLoss:P3} one at a time, {alignedLoss:P3} in tiles");
        Assert.InRange(alignedLoss - freeLoss, -0.01, 0.01);
    }

    [Fact]
    public void Both_budgets_are_met_and_a_cycle_budget_spends_on_what_saves_cycles()
    {
        // Arrange: "cycles" in which the attention costs three times its MACs.
        var m = fixture.Session.Model;
        var importance = FisherPruning.Importance(m, fixture.Calibration.Take(2).ToList(), 1, 3);
        var macs = PruneCosts.Macs(m, importance.MeanTokens);
        var cycles = macs with { Unit = "cycles", Heads = macs.Heads.Select(t => t.Select(v => 3 * v).ToArray()).ToArray(), FilterBlock = 16 };
        double[] Kept(PruneMasks p)
        {
            var e = p.Apply(m, "p");
            var (h, f) = (e.Layers.Select(l => l.Heads).ToArray(), e.Layers.Select(l => l.FfnWidth).ToArray());
            return [macs.Total(h, f) / macs.Full, cycles.Total(h, f) / cycles.Full, h.Sum()];
        }

        // Act
        var byMacs = Kept(FisherPruning.Search(m, importance, new PruneBudget(0.6, null), cycles));
        var both = Kept(FisherPruning.Search(m, importance, new PruneBudget(0.6, 0.55), cycles));
        var byCycles = Kept(FisherPruning.Search(m, importance, new PruneBudget(null, 0.6), cycles));

        // Assert
        Assert.True(both[0] <= 0.6 && both[1] <= 0.55, $"both budgets: {both[0]:P1} of the MACs, {both[1]:P1} of the cycles");
        Assert.InRange(byCycles[1], 0.58, 0.6);
        Assert.True(both[2] < byMacs[2], $"the cycle budget removes heads, which cost the most cycles: {both[2]} kept against {byMacs[2]}");
    }

    [Fact]
    public void A_cycle_budget_without_a_cycle_model_and_no_budget_at_all_are_refused()
    {
        // Arrange
        var m = fixture.Session.Model;
        var importance = FisherPruning.Importance(m, fixture.Calibration.Take(1).ToList(), 1, 7);

        // Act
        var noModel = Assert.Throws<ModelException>(() => FisherPruning.Search(m, importance, new PruneBudget(null, 0.6), null));
        var none = Assert.Throws<ModelException>(() => FisherPruning.Search(m, importance, new PruneBudget(null, null), null));
        var bad = Assert.Throws<ModelException>(() => FisherPruning.Search(m, importance, new PruneBudget(0.6, 0), null));

        // Assert
        Assert.Contains("cycle model", noModel.Message, StringComparison.Ordinal);
        Assert.Contains("give a MAC budget, a cycle budget or both", none.Message, StringComparison.Ordinal);
        Assert.Contains("the cycle budget must be a fraction in (0, 1], got 0", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rearrangement_keeps_each_layer_s_counts_and_lowers_the_block_diagonal_loss()
    {
        // Arrange: the Fisher information with its per-sample gradients, and masks from its diagonal.
        var m = fixture.Session.Model;
        var importance = FisherPruning.Importance(m, fixture.Calibration.Take(3).ToList(), 2, 5, keepSamples: true);
        var masks = FisherPruning.Search(m, importance, 0.6);

        // Act
        var rearranged = FisherPruning.Rearrange(m, importance, masks);
        var refused = Assert.Throws<ModelException>(() => FisherPruning.Rearrange(m, importance with { Samples = null }, masks));

        // Assert
        Assert.Equal(6, importance.Samples!.Length);
        Assert.All(importance.Samples, l => Assert.Equal(6, l.Length));
        Assert.Contains("per-sample gradients", refused.Message, StringComparison.Ordinal);
        var changed = 0;
        for (var i = 0; i < m.Layers.Length; i++)
        {
            var (a, b) = (masks.Mask(i, m.Layers[i]), rearranged.Mask(i, m.Layers[i]));
            Assert.Equal(a.Heads.Count, b.Heads.Count);
            Assert.Equal(a.Filters.Count, b.Filters.Count);
            int[] Removed(global::HwGen.Software.Layers.LayerMask k) => Enumerable.Range(0, m.Layers[i].Heads).Except(k.Heads)
                .Concat(Enumerable.Range(0, m.Layers[i].FfnWidth).Except(k.Filters).Select(f => m.Layers[i].Heads + f)).ToArray();
            Assert.True(FisherPruning.Loss(importance.Samples[i], Removed(b)) <= FisherPruning.Loss(importance.Samples[i], Removed(a)), $"layer {i}: the loss grew");
            changed += a.Filters.Except(b.Filters).Count();
        }

        Assert.True(changed > 0, "nothing was rearranged");
        _ = rearranged.Apply(m, "rearranged");
    }
}
