using HwGen.Software.Numerics.Transformer;

namespace HwGen.Tests.Numerics;

public sealed class IntSoftmaxTests
{
    /// <summary>The i-exp arithmetic in 128-bit integers: differs from the kernel only if the kernel overflows.</summary>
    private static Int128 WideExp(long d, IntSoftmaxConstants c)
    {
        Int128 p = (Int128)d * c.Input.Multiplier;
        var t = c.Input.Shift == 0 ? p : (p + (Int128.One << (c.Input.Shift - 1))) >> c.Input.Shift;
        var u = -t < IntSoftmaxConstants.MaxMagnitude ? -t : IntSoftmaxConstants.MaxMagnitude;
        var z = (int)(u >> IntSoftmaxConstants.FracBits);
        var v = IntSoftmaxConstants.PolyB - (u & ((1 << IntSoftmaxConstants.FracBits) - 1));
        return ((v * v) + IntSoftmaxConstants.PolyC) >> z;
    }

    [Fact]
    public void Exp_polynomial_constants_are_derived_from_the_ibert_coefficients()
    {
        // Arrange
        var s = IntSoftmaxConstants.InternalScale;

        // Act
        var qb = (long)Math.Round(IntSoftmaxConstants.PolyBReal / s);
        var qc = (long)Math.Round(IntSoftmaxConstants.PolyCReal / (IntSoftmaxConstants.PolyA * s * s));

        // Assert
        Assert.Equal(IntSoftmaxConstants.PolyB, qb);
        Assert.Equal(IntSoftmaxConstants.PolyC, qc);
        Assert.True((qb * qb) + qc < int.MaxValue);
    }

    [Fact]
    public void Exp_error_over_the_reduced_range_is_below_2e_minus_3()
    {
        // Arrange, Act
        var e = KernelAccuracy.ExpReducedRange();

        // Assert
        Assert.InRange(e.MaxAbs, 0, 1.93e-3);
        Assert.Equal(1 << IntSoftmaxConstants.FracBits, e.Count);
    }

    [Theory]
    [InlineData(1e-4)]
    [InlineData(3.7e-3)]
    [InlineData(0.05)]
    public void Exp_error_over_the_negative_axis_is_below_2e_minus_3(double scale)
    {
        // Arrange, Act
        var e = KernelAccuracy.ExpNegativeAxis(scale);

        // Assert
        Assert.InRange(e.MaxAbs, 0, 2e-3);
    }

    [Theory]
    [InlineData(1, false, 1.0)]
    [InlineData(5, false, 0.35)]
    [InlineData(16, false, 0.35)]
    [InlineData(17, false, 0.35)]
    [InlineData(768, false, 0.15)]
    [InlineData(3072, false, 0.06)]
    [InlineData(5, true, 0.40)]
    [InlineData(17, true, 0.35)]
    [InlineData(768, true, 0.15)]
    public void Softmax_on_attention_logits_is_within_one_output_lsb_of_float(int width, bool causal, double rmsLsb)
    {
        // Arrange
        var rows = Math.Min(width, 24);

        // Act
        var e = KernelAccuracy.Softmax(width, rows, causal, seed: 31);

        // Assert
        Assert.InRange(e.MaxAbsLsb, 0, 1.0);
        Assert.InRange(e.RmsLsb, 0, rmsLsb);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(64)]
    public void Softmax_rows_wider_than_the_array_give_the_same_result_for_every_block_width(int blockWidth)
    {
        // Arrange
        var rng = new Random(8);
        var row = Enumerable.Range(0, 197).Select(_ => rng.Next(-3_000_000, 3_000_000)).ToArray();
        var c = IntSoftmaxConstants.FromScale(2e-6, 0.125);
        var whole = new sbyte[row.Length];
        var blocked = new sbyte[row.Length];

        // Act
        IntSoftmax.Apply(row, whole, c, 150);
        IntSoftmax.ApplyBlocked(row, blocked, c, 150, blockWidth);

        // Assert
        Assert.Equal(whole, blocked);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 0)]
    [InlineData(3, 4)]
    [InlineData(0, 100)]
    public void Causal_mask_zeroes_future_columns_and_normalizes_over_the_rest(int rowIndex, int offset)
    {
        // Arrange
        var rng = new Random(rowIndex + offset);
        var row = Enumerable.Range(0, 16).Select(_ => rng.Next(-50000, 50000)).ToArray();
        var c = IntSoftmaxConstants.FromScale(1e-4);
        var valid = Math.Min(16, rowIndex + offset + 1);
        var masked = new sbyte[16];
        var truncated = new sbyte[valid];

        // Act
        IntSoftmax.ApplyCausal(row, masked, c, rowIndex, offset);
        IntSoftmax.Apply(row.AsSpan(0, valid), truncated, c);

        // Assert
        Assert.All(masked[valid..], v => Assert.Equal(0, v));
        Assert.Equal(truncated, masked[..valid]);
        Assert.InRange(masked.Sum(v => v), 128 - valid, 128 + valid);
    }

    [Fact]
    public void Fully_masked_row_produces_zeros_and_a_single_column_produces_the_largest_output()
    {
        // Arrange
        var c = IntSoftmaxConstants.FromScale(1e-3);
        var row = new[] { 5, 9, -4 };
        var none = new sbyte[3];
        var first = new sbyte[3];

        // Act
        IntSoftmax.ApplyCausal(row, none, c, rowIndex: 0, offset: -1);
        IntSoftmax.ApplyCausal(row, first, c, rowIndex: 0, offset: 0);

        // Assert
        Assert.Equal(new sbyte[] { 0, 0, 0 }, none);
        Assert.Equal(new sbyte[] { 127, 0, 0 }, first);
    }

    [Theory]
    [InlineData(1e-9, 1.0)]
    [InlineData(1e-4, 0.125)]
    [InlineData(1.0, 1.0)]
    [InlineData(1000.0, 1.0)]
    public void Softmax_does_not_overflow_on_width_4096_rows_of_int32_extremes(double scale, double attention)
    {
        // Arrange
        var c = IntSoftmaxConstants.FromScale(scale, attention);
        var row = Enumerable.Range(0, 4096).Select(j => (j % 3) switch { 0 => int.MaxValue, 1 => int.MinValue, _ => j - 2048 }).ToArray();
        var output = new sbyte[row.Length];
        var max = IntSoftmax.Max(row, row.Length);

        // Act
        IntSoftmax.Apply(row, output, c);
        var sum = IntSoftmax.SumExp(row, row.Length, max, c);

        // Assert
        Assert.All(row, q => Assert.Equal(WideExp((long)q - max, c), (Int128)IntSoftmax.Exp((long)q - max, c)));
        Assert.InRange(sum, 1, (long)row.Length << 31);
        Assert.All(output, v => Assert.InRange(v, (sbyte)0, (sbyte)127));
        Assert.InRange(output.Sum(v => v), 128 - row.Length, 128 + row.Length);
    }

    [Fact]
    public void Softmax_is_deterministic()
    {
        // Arrange
        var rng = new Random(77);
        var row = Enumerable.Range(0, 768).Select(_ => rng.Next()).ToArray();
        var c = IntSoftmaxConstants.FromScale(1e-8);
        var a = new sbyte[row.Length];
        var b = new sbyte[row.Length];

        // Act
        IntSoftmax.Apply(row, a, c);
        IntSoftmax.Apply(row, b, c);

        // Assert
        Assert.Equal(a, b);
    }
}
