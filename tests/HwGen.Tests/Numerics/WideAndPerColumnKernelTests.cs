using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Tests.Numerics;

/// <summary>The kernels behind 16-bit residuals (F4), the per-column LayerNorm input (F2) and the per-column GELU store (F3, F6).</summary>
public sealed class WideAndPerColumnKernelTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(127, 0)]
    [InlineData(128, 1)]
    [InlineData(-128, 0)]
    [InlineData(-129, -1)]
    [InlineData(32767, 127)]
    [InlineData(-32768, -128)]
    [InlineData(32639, 127)]
    [InlineData(32511, 127)]
    [InlineData(32383, 126)]
    public void NarrowWide_rounds_half_up_and_saturates(short wide, sbyte expected)
    {
        // Act
        var narrow = FixedPoint.NarrowWide(wide);

        // Assert
        Assert.Equal(expected, narrow);
    }

    [Fact]
    public void The_narrowed_wide_LayerNorm_output_is_the_int8_output()
    {
        // Arrange
        var c = IntLayerNormConstants.FromScales(64, 0.01, null, 1.0 / 4096, 0.05);
        var rng = new Random(5);

        for (var i = 0; i < 20_000; i++)
        {
            var u = rng.Next(-(1 << 30), 1 << 30);
            var gamma = (short)rng.Next(short.MinValue, short.MaxValue + 1);
            var beta = rng.Next(-(1 << 20), 1 << 20);

            // Act
            var wide = IntLayerNorm.AffineWide(u, gamma, beta, c);
            var narrow = IntLayerNorm.Affine(u, gamma, beta, c);

            // Assert
            Assert.Equal(narrow, FixedPoint.NarrowWide(wide));
        }
    }

    [Theory]
    [InlineData(1000, 65535, 16, 1000)]
    [InlineData(1000, 32768, 16, 500)]
    [InlineData(-3, 32768, 16, -1)]
    [InlineData(-1, 32768, 16, 0)]
    [InlineData(int.MaxValue, 65535, 0, int.MaxValue)]
    [InlineData(int.MinValue, 65535, 1, int.MinValue)]
    [InlineData(12345, 7, 0, 12345)]
    public void LayerNorm_input_rescale_rounds_half_up_saturates_and_is_off_at_shift_0(int x, int m, int shift, int expected)
    {
        // Act
        var scaled = IntLayerNorm.ScaleInput(x, (ushort)m, shift);

        // Assert
        Assert.Equal(expected, scaled);
    }

    [Fact]
    public void Wide_residual_add_narrows_to_the_int8_add_when_the_multiplier_is_256_times_finer()
    {
        // Arrange: the wide output is at 1/256 of the int8 output's scale
        var narrowC = new IntResidualAddConstants(1.0, new Requantization(3, 1, false), 1.0, new Requantization(5, 12, false));
        var wideC = narrowC with { Output = new Requantization(5, 4, false) };
        var rng = new Random(9);

        for (var i = 0; i < 20_000; i++)
        {
            var x = rng.Next(-(1 << 20), 1 << 20);
            var r = rng.Next(-128, 128);

            // Act
            var wide = IntResidualAdd.ApplyWide(x, r, wideC);
            var narrow = IntResidualAdd.Apply(x, r, narrowC);

            // Assert: rounding twice differs from rounding once by at most one LSB
            Assert.InRange(FixedPoint.NarrowWide(wide) - narrow, -1, 1);
        }
    }

    [Fact]
    public void GELU_column_constants_round_trip_through_their_two_words()
    {
        // Arrange
        var col = new IntGeluColumn(54321, 47, 32767, 62, -117);

        // Act
        var (inWord, outWord) = col.Encode();
        var back = IntGeluColumn.Decode(inWord, outWord);

        // Assert
        Assert.Equal(col, back);
        Assert.Throws<ArgumentOutOfRangeException>(() => (col with { OutMultiplier = 1 << 15 }).Encode());
        Assert.Throws<ArgumentOutOfRangeException>(() => (col with { InShift = 48 }).Encode());
    }

    [Fact]
    public void GELU_column_identity_is_the_per_tensor_GELU_and_the_zero_point_shifts_the_codes()
    {
        // Arrange
        var c = IntGeluConstants.FromScale(0.002, 0.02);
        var identity = IntGeluColumn.Identity(c.Output);
        var shifted = identity with { ZeroPoint = -100 };

        for (var q = -5000; q <= 5000; q += 7)
        {
            // Act
            var plain = IntGelu.Apply(q, c);
            var viaColumn = identity.Apply(q, c);
            var withZero = shifted.Apply(q, c);

            // Assert
            Assert.Equal(plain, viaColumn);
            if (plain < sbyte.MaxValue)
            {
                Assert.Equal(Math.Clamp(plain - 100, -128, 127), withZero);
            }
        }
    }

    [Fact]
    public void GELU_column_input_rescale_halves_the_input()
    {
        // Arrange
        var c = IntGeluConstants.FromScale(0.002, 0.02);
        var half = new IntGeluColumn(1, 1, (int)c.Output.Multiplier, c.Output.Shift, 0);

        // Act + Assert: column value 2q at mi = 1, si = 1 is GELU(q) (q even, so no rounding)
        for (var q = -3000; q <= 3000; q += 2)
        {
            Assert.Equal(IntGelu.Apply(q, c), half.Apply(2 * q, c));
        }
    }
}
