using HwGen.Software.Compiler;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;
using Xunit;
using Xunit.Abstractions;

namespace HwGen.Tests.Layers;

public sealed class QkBalanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Balancing_leaves_the_float_layer_unchanged_and_evens_the_channel_peaks_of_Q_and_K()
    {
        // Arrange
        var spec = LayerCompiler.Shape(WorkloadSpec.Parse("bert-mini:seq=48"));
        var w = LayerWeights.Create(spec, 5);
        var f = FloatLayer.Forward(spec, w);

        // Act
        var s = QkBalance.Factors(spec, f);
        var fb = FloatLayer.Forward(spec, QkBalance.Apply(w, s));

        // Assert
        Assert.Contains(s, x => Math.Abs(x - 1) > 0.2);
        AssertClose(f.P, fb.P, 1e-12);
        AssertClose(f.Y, fb.Y, 1e-9);
        AssertClose(QkBalance.Apply(f, s).Q, fb.Q, 1e-12);
        var a = spec.AttentionWidth;
        for (var c = 0; c < a; c++)
        {
            double mq = 0, mk = 0;
            for (var i = c; i < fb.Q.Length; i += a)
            {
                (mq, mk) = (Math.Max(mq, Math.Abs(fb.Q[i])), Math.Max(mk, Math.Abs(fb.K[i])));
            }

            Assert.Equal(mq, mk, 1e-9);
        }
    }

    [Fact]
    public void Balanced_queries_and_keys_give_finer_probabilities_than_one_scale_per_unbalanced_tensor()
    {
        // Arrange: bert-base at 128 tokens, late Softmax, two heads; the same float layer quantized both ways.
        var spec = LayerCompiler.Shape(WorkloadSpec.Parse("bert-base:seq=128,softmax_late=1"));
        var w = LayerWeights.Create(spec, 1);
        var f = FloatLayer.Forward(spec, w);
        var scales = LayerScales.Of(w.Input, f);
        var x = w.Input.Select(v => (sbyte)Math.Clamp(Math.Round(v / scales.X), -127, 127)).ToArray();
        var plain = QuantizedLayer.Create(spec, 1, w, scales, x);
        var balanced = QuantizedLayer.CreateStack(spec, 1, 1)[0];

        // Act
        var before = AttentionPrecision.Measure(plain, f, IntLayerReference.Run(plain), 2)[1];
        var after = AttentionPrecision.Measure(balanced, f, IntLayerReference.Run(balanced), 2)[1];

        // Assert
        output.WriteLine($"P cosine {before.PCosine:F5} -> {after.PCosine:F5}, O cosine {before.OCosine:F5} -> {after.OCosine:F5}");
        Assert.True(after.PCosine > before.PCosine + 0.001, $"P {before.PCosine} -> {after.PCosine}");
        Assert.True(after.OCosine > before.OCosine, $"O {before.OCosine} -> {after.OCosine}");
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= tolerance, $"worst difference {worst}");
    }
}
