using HwGen.Software.Numerics.Transformer;

namespace HwGen.Tests.Numerics;

public sealed class IntLayerNormTests
{
    private static (short[] Gamma, int[] Beta, IntLayerNormConstants C) Unit(int width, double inputScale, double? residualScale, double outputScale)
    {
        var gamma = Enumerable.Range(0, width).Select(j => 1.0 + (0.01 * (j % 7))).ToArray();
        var beta = Enumerable.Range(0, width).Select(j => 0.05 * ((j % 5) - 2)).ToArray();
        var (gq, gs) = IntLayerNormConstants.QuantizeGamma(gamma);
        var bq = IntLayerNormConstants.QuantizeBeta(beta, outputScale);
        return (gq, bq, IntLayerNormConstants.FromScales(width, inputScale, residualScale, gs, outputScale));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(5, false)]
    [InlineData(16, false)]
    [InlineData(17, false)]
    [InlineData(768, false)]
    [InlineData(3072, false)]
    [InlineData(5, true)]
    [InlineData(17, true)]
    [InlineData(768, true)]
    [InlineData(3072, true)]
    public void LayerNorm_on_residual_stream_rows_with_outliers_is_within_0_65_output_lsb_of_float(int width, bool int8Inputs)
    {
        // Arrange
        var rows = 12;

        // Act
        var e = KernelAccuracy.LayerNorm(width, rows, int8Inputs, seed: 41);

        // Assert
        Assert.InRange(e.MaxAbsLsb, 0, 0.65);
        Assert.InRange(e.RmsLsb, 0, 0.32);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(4096)]
    public void Constant_rows_hit_the_zero_std_guard_and_output_beta(int width)
    {
        // Arrange
        var (gamma, beta, c) = Unit(width, 1e-4, null, 0.05);
        var x = Enumerable.Repeat(123456, width).ToArray();
        var y = new sbyte[width];

        // Act
        var stats = IntLayerNorm.Apply(x, ReadOnlySpan<int>.Empty, gamma, beta, y, c);

        // Assert
        Assert.Equal(0u, stats.Sigma);
        Assert.Equal(0, stats.Factor);
        Assert.Equal(beta.Select(b => (sbyte)Math.Clamp((b + 128) >> 8, -128, 127)).ToArray(), y);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(17)]
    [InlineData(4096)]
    public void LayerNorm_does_not_overflow_on_width_4096_rows_of_int32_extremes(int width)
    {
        // Arrange
        var (gamma, beta, c) = Unit(width, 1e-6, 1e-6 * 4096, 0.05);
        var x = Enumerable.Range(0, width).Select(j => (j % 3) == 0 ? int.MinValue : int.MaxValue).ToArray();
        var r = Enumerable.Range(0, width).Select(j => (j % 3) == 0 ? int.MinValue : (j % 2 == 0 ? int.MaxValue : 0)).ToArray();
        var h = x.Select((v, j) => IntLayerNorm.AddResidual(v, r[j], c)).ToArray();
        var y = new sbyte[width];

        // Act
        var stats = IntLayerNorm.Apply(x, r, gamma, beta, y, c);

        // Assert
        Int128 sum = h.Sum(v => (long)v);
        Int128 q = 0;
        foreach (var v in h)
        {
            Int128 d = ((Int128)width * v) - sum;
            var ds = stats.Shift > 0 ? (d + (Int128.One << (stats.Shift - 1))) >> stats.Shift : d << -stats.Shift;
            Assert.InRange((long)ds, -(1L << 25), 1L << 25);
            q += ds * ds;
        }

        Assert.Equal(q, (Int128)stats.SumOfSquares);
        Assert.InRange(stats.SumOfSquares, 1, 1L << 62);
        Assert.InRange(stats.Sigma, 1u << 23, 1u << 31);
        Assert.InRange(stats.Factor, 1, 1L << 30);
        Assert.Contains(y, v => v > 0);
        Assert.Contains(y, v => v < 0);
    }

    [Fact]
    public void Exact_mean_makes_the_output_invariant_to_a_constant_offset()
    {
        // Arrange
        var (gamma, beta, c) = Unit(5, 0.05, null, 0.02);
        var x = new[] { 0, 0, 1, 0, 0 };
        var shifted = x.Select(v => v + 1_000_003).ToArray();
        var a = new sbyte[5];
        var b = new sbyte[5];

        // Act
        IntLayerNorm.Apply(x, ReadOnlySpan<int>.Empty, gamma, beta, a, c);
        IntLayerNorm.Apply(shifted, ReadOnlySpan<int>.Empty, gamma, beta, b, c);

        // Assert
        Assert.Equal(a, b);
        var reference = ReferenceFunctions.LayerNorm(x.Select(v => v * 0.05).ToArray(), gamma.Select(g => g * c.GammaScale).ToArray(), beta.Select(v => v * 0.02 / 256).ToArray());
        Assert.All(Enumerable.Range(0, 5), j => Assert.InRange(Math.Abs((a[j] * 0.02) - reference[j]), 0, 0.51 * 0.02));
    }

    [Fact]
    public void Residual_is_aligned_to_the_input_scale_before_the_add()
    {
        // Arrange
        var (_, _, c) = Unit(4, 1e-4, 0.05, 0.05);

        // Act
        var h = IntLayerNorm.AddResidual(1000, 3, c);

        // Assert
        Assert.Equal(1000 + 1500, h);
    }

    [Fact]
    public void LayerNorm_is_deterministic_and_independent_of_call_order()
    {
        // Arrange
        var rng = new Random(3);
        var (gamma, beta, c) = Unit(768, 1e-4, 0.02, 0.05);
        var x = Enumerable.Range(0, 768).Select(_ => rng.Next(-100000, 100000)).ToArray();
        var r = Enumerable.Range(0, 768).Select(_ => rng.Next(-128, 128)).ToArray();
        var a = new sbyte[768];
        var b = new sbyte[768];

        // Act
        IntLayerNorm.Apply(x, r, gamma, beta, a, c);
        IntLayerNorm.Apply(x.Reverse().ToArray(), r.Reverse().ToArray(), gamma.Reverse().ToArray(), beta.Reverse().ToArray(), b, c);

        // Assert
        Assert.Equal(a, b.Reverse().ToArray());
    }
}
