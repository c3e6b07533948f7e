using HwGen.Software.Layers;

namespace HwGen.Tests.Layers;

/// <summary>The backward pass the pruner's Fisher information comes from, against central differences.</summary>
public sealed class MaskGradientTests
{
    [Fact]
    public void With_masks_of_one_the_forward_pass_is_the_float_layer()
    {
        // Arrange
        var spec = LayerSpec.Preset("bert-tiny", 7);
        var w = LayerWeights.Create(spec, 2);

        // Act
        var (y, _) = MaskGradient.Forward(spec, w);

        // Assert
        Assert.All(y.Zip(FloatLayer.Forward(spec, w).Y), p => Assert.Equal(p.Second, p.First, 1e-9));
    }

    [Fact]
    public void Mask_and_input_gradients_match_central_differences()
    {
        // Arrange: a pruned-shape layer (1 head of 64, 40 filters) at masks away from 1, loss = r·Y for a fixed r.
        var full = LayerSpec.Preset("bert-tiny", 5);
        var (spec, w) = LayerPruning.Apply(full, LayerWeights.Create(full, 4), LayerMask.First(2, 40) with { Heads = [0, 1] });
        var rng = new Random(3);
        var heads = new[] { 0.7, 1.2 };
        var filters = Enumerable.Range(0, spec.Ffn).Select(_ => 0.5 + rng.NextDouble()).ToArray();
        var r = Enumerable.Range(0, spec.Seq * spec.Hidden).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double Loss(LayerWeights lw, double[] hm, double[] fm) => MaskGradient.Forward(spec, lw, hm, fm).Y.Zip(r, (a, b) => a * b).Sum();
        const double eps = 1e-5;
        double Central(Func<double, double> f) => (f(eps) - f(-eps)) / (2 * eps);

        // Act
        var (_, tape) = MaskGradient.Forward(spec, w, heads, filters);
        var (dx, dHeads, dFilters) = MaskGradient.Backward(tape, r);

        // Assert
        for (var hd = 0; hd < 2; hd++)
        {
            var expected = Central(e => Loss(w, heads.Select((v, i) => i == hd ? v + e : v).ToArray(), filters));
            Assert.Equal(expected, dHeads[hd], 1e-5 * Math.Max(1, Math.Abs(expected)));
        }

        foreach (var fi in new[] { 0, 17, 39 })
        {
            var expected = Central(e => Loss(w, heads, filters.Select((v, i) => i == fi ? v + e : v).ToArray()));
            Assert.Equal(expected, dFilters[fi], 1e-5 * Math.Max(1, Math.Abs(expected)));
        }

        foreach (var xi in new[] { 0, 200, (5 * 128) - 1 })
        {
            var expected = Central(e => Loss(w with { Input = w.Input.Select((v, i) => i == xi ? v + e : v).ToArray() }, heads, filters));
            Assert.Equal(expected, dx[xi], 1e-5 * Math.Max(1, Math.Abs(expected)));
        }

        Assert.Contains(dHeads, g => Math.Abs(g) > 1e-3);
    }

    [Fact]
    public void Mask_tuning_keeps_ones_for_an_unpruned_layer_and_shrinks_a_pruned_layers_error_on_its_sample()
    {
        // Arrange: bert-tiny, two sentences; the pruned layer keeps head 1 and 300 filters.
        var spec = LayerSpec.Preset("bert-tiny", 1);
        var w = LayerWeights.Create(spec, 6);
        var inputs = new[] { LayerWeights.Create(spec with { Seq = 9 }, 1).Input, LayerWeights.Create(spec with { Seq = 6 }, 2).Input };
        var pruned = LayerPruning.Apply(spec, w, new LayerMask([1], Enumerable.Range(0, 300).Select(i => i + (i / 3)).ToArray()));
        double Error(double[][] a, double[][] b) => a.Zip(b).Sum(p => p.First.Zip(p.Second, (x, y) => (x - y) * (x - y)).Sum());
        double[][] Untuned() => inputs.Select(x => MaskGradient.Forward(pruned.Spec with { Seq = x.Length / 128 }, pruned.Weights with { Input = x }).Y).ToArray();

        // Act
        var whole = MaskTuning.Tune((spec, w), (spec, w), inputs, inputs);
        var tuned = MaskTuning.Tune((spec, w), pruned, inputs, inputs);

        // Assert
        Assert.All(whole.Heads.Concat(whole.Filters), m => Assert.Equal(1.0, m, 1e-6));
        Assert.True(Error(tuned.StudentOut, tuned.TeacherOut) < 0.9 * Error(Untuned(), tuned.TeacherOut), "tuning should rebuild the layer output better than the untuned masks");
    }
}
