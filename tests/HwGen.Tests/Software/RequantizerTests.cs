using HwGen.Software.Numerics;

namespace HwGen.Tests.Software;

public sealed class RequantizerTests
{
    [Theory]
    [InlineData(5, 1, 0, false, 5)]            // shift 0: no rounding
    [InlineData(200, 1, 0, false, 127)]        // saturate high
    [InlineData(-200, 1, 0, false, -128)]      // saturate low
    [InlineData(-5, 1, 0, true, 0)]            // relu
    [InlineData(3, 1, 1, false, 2)]            // 1.5 rounds up
    [InlineData(-3, 1, 1, false, -1)]          // -1.5 rounds toward +inf
    [InlineData(-5, 1, 1, false, -2)]          // -2.5 -> -2
    [InlineData(5, 1, 1, false, 3)]            // 2.5 -> 3
    [InlineData(-7, 1, 2, false, -2)]          // -1.75 -> -2
    [InlineData(int.MinValue, int.MaxValue, 62, false, -1)] // (-2^62 + 2^31) / 2^62 = -0.9999... -> -1
    [InlineData(int.MinValue, int.MaxValue, 62, true, 0)]
    [InlineData(int.MinValue, int.MaxValue, 0, false, -128)]
    [InlineData(int.MaxValue, int.MaxValue, 0, true, 127)]
    [InlineData(1000, 0, 7, false, 0)]         // multiplier 0
    public void Requantization_rounds_half_up_and_saturates(int acc, long multiplier, int shift, bool relu, int expected)
    {
        // Act
        var actual = Requantizer.Apply(acc, multiplier, shift, relu);

        // Assert
        Assert.Equal((sbyte)expected, actual);
    }

    [Fact]
    public void The_extreme_product_at_shift_62_is_computed_without_overflow()
    {
        // Arrange: (2^31 - 1)^2 = 2^62 - 2^32 + 1; divided by 2^62 that is just below 1, so it rounds to 1.
        var expected = (sbyte)Math.Round((double)int.MaxValue * int.MaxValue / Math.Pow(2, 62));

        // Act
        var actual = Requantizer.Apply(int.MaxValue, int.MaxValue, 62, relu: false);

        // Assert
        Assert.Equal(1, expected);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(1.0, 1L << 30, 30)]
    [InlineData(0.5, 1L << 30, 31)]
    [InlineData(0.75, 3L << 29, 31)]
    [InlineData(1e-12, 4_611_686L, 62)]       // round(1e-12 * 2^62) = 4611686, the shift is capped at 62
    [InlineData(1500.0, 1_572_864_000L, 20)]
    [InlineData(0.0, 0L, 62)]
    public void Multiplier_and_shift_take_the_largest_shift_that_keeps_the_multiplier_below_2_pow_31(double scale, long multiplier, int shift)
    {
        // Act
        var r = Requantizer.FromScale(scale);

        // Assert
        Assert.Equal(multiplier, r.Multiplier);
        Assert.Equal(shift, r.Shift);
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.37)]
    [InlineData(3.3)]
    [InlineData(1e5)]
    public void The_chosen_pair_represents_the_scale_closely_and_is_legal(double scale)
    {
        // Act
        var r = Requantizer.FromScale(scale);

        // Assert
        Assert.True(r.IsValid);
        Assert.True(r.Multiplier >= 1L << 30 || r.Shift == 62, $"multiplier {r.Multiplier} shift {r.Shift} wastes precision");
        Assert.InRange(Math.Abs(r.RealScale - scale) / scale, 0, 1e-9);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(4e9)]
    public void Scales_that_cannot_be_represented_are_rejected(double scale)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Requantizer.FromScale(scale));
    }

    [Fact]
    public void Out_of_range_hardware_parameters_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Requantizer.Apply(1, 1L << 31, 0, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Requantizer.Apply(1, 1, 63, false));
    }

    [Fact]
    public void Symmetric_quantization_uses_max_abs_over_127_and_wraps_mac_at_32_bits()
    {
        // Arrange
        double[] x = [0.5, -2.54, 1.0];

        // Act
        var (q, s) = SymmetricQuantizer.Quantize(x);
        var wrapped = IntegerMac.Mac(int.MaxValue, 1, 1);

        // Assert
        Assert.Equal(2.54 / 127, s, 12);
        Assert.Equal(new sbyte[] { 25, -127, 50 }, q);
        Assert.Equal(int.MinValue, wrapped);
    }
}
