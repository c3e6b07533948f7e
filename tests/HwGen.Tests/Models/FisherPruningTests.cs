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
}
