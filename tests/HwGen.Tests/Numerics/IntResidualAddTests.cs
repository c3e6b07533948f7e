using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Numerics;

public sealed class IntResidualAddTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(17)]
    [InlineData(768)]
    [InlineData(3072)]
    public void Residual_add_of_residual_stream_rows_is_within_half_an_output_lsb_of_float(int cols)
    {
        // Arrange
        var w = ResidualAddWorkload.Create(8, cols, residual: true, seed: 5);

        // Act
        var y = w.ReferenceOutput();
        var reference = w.FloatReference();
        var lsb = w.Constants.OutputScale;
        var worst = y.Select((v, i) => Math.Abs((v * lsb) - reference[i]) / lsb).Max();

        // Assert: output rounding (0.5 LSB) plus the alignment's rounding of r (at most half an input LSB)
        Assert.InRange(worst, 0.0, 0.5 + (0.5 * w.Constants.InputScale / lsb) + 1e-9);
    }

    [Fact]
    public void LayerNorm_and_the_residual_add_align_the_residual_with_one_definition()
    {
        // Arrange
        var ln = IntLayerNormConstants.FromScales(16, 1e-5, 3e-4, 1.0 / 16384, 0.02);
        var rng = new SeededRandom(3);

        // Act and Assert
        for (var i = 0; i < 10000; i++)
        {
            var x = rng.Next(1 << 30) - (1 << 29);
            var r = rng.Next(1 << 20) - (1 << 19);
            Assert.Equal(IntResidualAdd.Sum(x, r, ln.Residual), IntLayerNorm.AddResidual(x, r, ln));
        }
    }

    [Fact]
    public void The_sum_saturates_to_int32_before_requantization()
    {
        // Arrange: residual scale 2 (shift so that the multiplier is exact), output scale equal to the input scale
        var c = IntResidualAddConstants.FromScales(1.0, 2.0, 1.0);

        // Act
        var high = IntResidualAdd.Sum(int.MaxValue - 1, 5, c.Residual);
        var low = IntResidualAdd.Sum(int.MinValue + 1, -5, c.Residual);
        var out8 = IntResidualAdd.Apply(int.MaxValue - 1, 5, c);

        // Assert
        Assert.Equal(int.MaxValue, high);
        Assert.Equal(int.MinValue, low);
        Assert.Equal(127, out8);
    }

    [Fact]
    public void With_equal_scales_the_output_is_the_requantized_exact_sum()
    {
        // Arrange
        var c = IntResidualAddConstants.FromScales(0.5, 0.5, 0.25);
        var x = new[] { -7, 0, 3, 40, -100 };
        var r = new[] { 2, 0, -3, 30, 60 };
        var y = new sbyte[x.Length];

        // Act
        IntResidualAdd.Apply(x, r, y, c);

        // Assert: (x + r)·2, rounded and saturated
        Assert.Equal(new sbyte[] { -10, 0, 0, 127, -80 }, y);
        Assert.Equal(x.Zip(r, (a, b) => Requantizer.Apply(a + b, c.Output.Multiplier, c.Output.Shift, false)).ToArray(), y);
    }

    [Fact]
    public void A_residual_without_its_alignment_is_rejected()
    {
        // Arrange
        var c = IntResidualAddConstants.FromScales(1.0, null, 1.0);

        // Act and Assert
        Assert.Throws<ArgumentException>(() => IntResidualAdd.Apply([1, 2], [3, 4], new sbyte[2], c));
    }
}
