using HwGen.Software.Numerics.Transformer;

namespace HwGen.Tests.Numerics;

public sealed class IntGeluTests
{
    /// <summary>The same arithmetic as <see cref="IntGelu"/> in 128-bit integers: differs from the kernel only if the kernel overflows.</summary>
    private static Int128 WideProduct(int q, IntGeluConstants c)
    {
        Int128 a = Math.Abs((long)q);
        var t = a < c.ClipMagnitude ? a : c.ClipMagnitude;
        var d = c.ClipMagnitude - t;
        var e = c.Offset - (d * d);
        var en = c.ErfShift == 0 ? e : (e + (Int128.One << (c.ErfShift - 1))) >> c.ErfShift;
        var sig = q >= 0 ? c.One + en : c.One - en;
        return q * sig;
    }

    [Theory]
    [InlineData(1e-5, 0.0183, 0.0083)]
    [InlineData(1e-3, 0.0183, 0.0083)]
    [InlineData(4.0 / 127, 0.0190, 0.0085)]
    public void Gelu_before_output_quantization_matches_ibert_error_over_minus_4_to_4(double scale, double maxError, double rmsError)
    {
        // Arrange
        var outputScale = 4.0 / 127;

        // Act
        var e = KernelAccuracy.GeluApproximation(scale, outputScale);

        // Assert
        Assert.InRange(e.MaxAbs, 0, maxError);
        Assert.InRange(e.Rms, 0, rmsError);
    }

    [Theory]
    [InlineData(1e-5)]
    [InlineData(1e-3)]
    [InlineData(4.0 / 127)]
    public void Gelu_int8_output_is_within_the_approximation_error_plus_half_an_lsb(double scale)
    {
        // Arrange
        var outputScale = 4.0 / 127;

        // Act
        var e = KernelAccuracy.GeluOutput(scale, outputScale);

        // Assert
        Assert.InRange(e.MaxAbsLsb, 0, 0.61 + 0.5);
        Assert.InRange(e.RmsLsb, 0, 0.40);
    }

    [Theory]
    [InlineData(2.5e-9)]
    [InlineData(1e-7)]
    [InlineData(1e-5)]
    [InlineData(0.05)]
    [InlineData(0.5)]
    public void Gelu_does_not_overflow_at_int32_extremes_for_any_legal_scale(double scale)
    {
        // Arrange
        var c = IntGeluConstants.FromScale(scale, 0.05);
        var inputs = new[] { int.MinValue, int.MinValue + 1, -(1 << 30), -1, 0, 1, 1 << 30, int.MaxValue - 1, int.MaxValue };

        // Act
        var products = inputs.Select(q => IntGelu.Product(q, c)).ToArray();
        var outputs = inputs.Select(q => IntGelu.Apply(q, c)).ToArray();

        // Assert
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(WideProduct(inputs[i], c), (Int128)products[i]);
            Assert.InRange(Math.Abs(products[i]), 0, 1L << 47);
        }

        Assert.InRange(c.One, 1, (1 << 15) + 1);
        Assert.Equal(0, IntGelu.Sigmoid(int.MinValue, c));
        Assert.Equal(2 * c.One, IntGelu.Sigmoid(int.MaxValue, c));
        Assert.InRange(outputs[^1], (sbyte)Math.Min(126, Math.Round(int.MaxValue * scale / 0.05) - 1), sbyte.MaxValue);
        Assert.Equal(0, outputs[0]);
    }

    [Fact]
    public void Gelu_erf_term_is_odd_so_the_sigmoid_is_symmetric()
    {
        // Arrange
        var c = IntGeluConstants.FromScale(1e-4, 0.05);

        // Act
        var asymmetric = Enumerable.Range(0, 50000).Select(k => k * 7)
            .Where(q => IntGelu.Sigmoid(q, c) + IntGelu.Sigmoid(-q, c) != 2 * c.One && q != 0)
            .ToList();

        // Assert
        Assert.Empty(asymmetric);
    }

    [Fact]
    public void Gelu_is_deterministic_and_the_vector_form_matches_the_scalar_form()
    {
        // Arrange
        var c = IntGeluConstants.FromScale(3e-4, 0.03);
        var rng = new Random(5);
        var input = Enumerable.Range(0, 4096).Select(_ => rng.Next(-20000, 20000)).ToArray();
        var a = new sbyte[input.Length];
        var b = new sbyte[input.Length];

        // Act
        IntGelu.Apply(input, a, c);
        IntGelu.Apply(input, b, c);

        // Assert
        Assert.Equal(a, b);
        Assert.Equal(input.Select(q => IntGelu.Apply(q, c)).ToArray(), a);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-3)]
    [InlineData(double.NaN)]
    [InlineData(1e-12)]
    [InlineData(10.0)]
    public void Gelu_constants_reject_scales_outside_the_supported_range(double scale)
    {
        // Arrange, Act and Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => IntGeluConstants.FromScale(scale, 0.05));
    }

    [Theory]
    [InlineData(1000, 10, 0, 100)]      // Qc < d²: the erf term is negative before the clamp
    [InlineData(10, 1L << 40, 0, 100)]  // n = 0 leaves a term far above One
    public void The_erf_term_is_clamped_to_0_through_One_for_any_register_values(long clip, long offset, int shift, long one)
    {
        // Arrange: constants a program could set with config_post, not from FromScale.
        var c = new IntGeluConstants(0, 0, clip, offset, shift, one, new HwGen.Software.Numerics.Requantization(1, 0, false));

        // Act
        var positive = IntGelu.Sigmoid(3, c);
        var negative = IntGelu.Sigmoid(-3, c);

        // Assert
        Assert.InRange(positive, one, 2 * one);
        Assert.InRange(negative, 0, one);
        Assert.Equal(2 * one, positive + negative);
    }
}
