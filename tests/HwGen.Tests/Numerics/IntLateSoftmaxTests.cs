using HwGen.Software.Layers;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Workloads;
using Xunit.Abstractions;

namespace HwGen.Tests.Numerics;

public sealed class IntLateSoftmaxTests(ITestOutputHelper output)
{
    /// <summary>Attention-like logits: N(0, 2.5²) with one peak, as the Softmax workload draws them, in accumulator units.</summary>
    private static int[] Logits(Random random, int width, double scale)
    {
        var row = new int[width];
        for (var j = 0; j < width; j++)
        {
            var g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            row[j] = (int)Math.Round(2.5 * g / scale);
        }

        row[random.Next(width)] += (int)Math.Round((4 + (4 * random.NextDouble())) / scale);
        return row;
    }

    [Fact]
    public void The_constant_is_the_rounded_127_over_the_exponential_at_the_maximum()
    {
        // Arrange: L = round(127·2^53 / poly(0)), defined once in KernelConstants for the C# kernel and the RTL
        var exact = 127 * Math.Pow(2, IntSoftmaxConstants.ReciprocalBits - IntSoftmaxConstants.OutputFracBits) / IntLateSoftmax.ExpAtMax;

        // Act and Assert
        var rounded = (long)Math.Round(exact, MidpointRounding.AwayFromZero);
        Assert.True(rounded == IntLateSoftmax.Reciprocal, $"L = {IntLateSoftmax.Reciprocal}, expected {rounded}");
    }

    [Theory]
    [InlineData(127L, 2147483647L)]
    [InlineData(128L, 1073741824L)]
    [InlineData(520192L, 2147483647L)]
    [InlineData(3001L, 1234567890L)]
    public void A_row_multiplier_is_the_floored_quotient_and_fits_30_bits(long sum, long pv)
    {
        // Act
        var m = IntLateSoftmax.RowMultiplier(sum, pv);

        // Assert: floor(pv·2^5 / Σu), below 2^30 for every Σu a row with an element can have (≥ 127)
        Assert.InRange(m, 0, (1L << 30) - 1);
        Assert.True(m * sum <= pv << IntLateSoftmax.RowShift && (m + 1) * sum > pv << IntLateSoftmax.RowShift);
        Assert.Equal(0, IntLateSoftmax.RowMultiplier(0, pv));
    }

    [Fact]
    public void The_row_requantization_divides_the_output_row_by_its_sum()
    {
        // Arrange: P·V requantization at P scale 2^-7 (multiplier 2^30, shift 37: 2^-7 in all); u sums to 254
        var o = new HwGen.Software.Numerics.Requantization(1L << 30, 37, false);

        // Act
        var pv = IntLateSoftmax.PvRequantization(o);
        var row = IntLateSoftmax.RowRequantization(pv, 254);

        // Assert: acc·(1/254) (u/Σu replaces u·2^-7): 254·100 → 100
        Assert.Equal(30, pv.Shift);
        Assert.Equal(35, row.Shift);
        Assert.Equal(100, row.Apply(25400));
        Assert.Throws<ArgumentException>(() => IntLateSoftmax.PvRequantization(o with { Shift = 6 }));
    }

    [Fact]
    public void The_row_maximum_gives_exactly_127_and_the_constant_fits_the_reciprocals_30_bits()
    {
        // Arrange
        var c = IntSoftmaxConstants.FromScale(1.0 / 4096, 0.125);
        var u = new sbyte[3];

        // Act
        var sum = IntLateSoftmax.Apply([5000, 5000, -100000], u, c, 3);

        // Assert
        Assert.InRange(IntLateSoftmax.Reciprocal, 1, (1L << 30) - 1);
        Assert.Equal(127, u[0]);
        Assert.Equal(127, u[1]);
        Assert.Equal(u[0] + u[1] + u[2], sum);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(5, false)]
    [InlineData(17, true)]
    [InlineData(128, false)]
    [InlineData(512, true)]
    [InlineData(4096, false)]
    public void Every_element_is_within_0_8_lsb_of_exp_relative_to_the_row_maximum_and_masked_ones_are_zero(int width, bool causal)
    {
        // Arrange
        const double scale = 1.0 / 2048;
        var c = IntSoftmaxConstants.FromScale(scale, 1.0);
        var random = new Random(width);
        var worst = 0.0;
        var rows = Math.Max(1, 8192 / width);

        // Act
        for (var r = 0; r < rows; r++)
        {
            var row = Logits(random, width, scale);
            var valid = causal ? IntSoftmax.CausalValid(width, r % width, 0) : width;
            var u = new sbyte[width];
            var sum = IntLateSoftmax.Apply(row, u, c, valid);
            var max = row.Take(valid).Max();
            Assert.Equal(u.Sum(x => (long)x), sum);
            for (var j = 0; j < width; j++)
            {
                if (j >= valid)
                {
                    Assert.Equal(0, u[j]);
                    continue;
                }

                worst = Math.Max(worst, Math.Abs((u[j] / 127.0) - Math.Exp((row[j] - max) * scale)) * 127);
            }
        }

        // Assert: output rounding (0.5 LSB) plus i-exp's polynomial and input rounding.
        output.WriteLine($"width {width}{(causal ? " causal" : "")}: worst error {worst:F3} LSB of 1/127");
        Assert.InRange(worst, 0.0, 0.8);
    }

    [Fact]
    public void A_fully_masked_row_gives_zeros_and_a_zero_sum()
    {
        // Arrange
        var c = IntSoftmaxConstants.FromScale(1.0 / 4096, 0.125);
        var u = new sbyte[] { 1, 2, 3 };

        // Act
        var sum = IntLateSoftmax.Apply([1, 2, 3], u, c, 0);

        // Assert
        Assert.Equal(0, sum);
        Assert.All(u, x => Assert.Equal(0, x));
    }

    [Fact]
    public void Late_normalization_brings_the_probabilities_to_the_ceiling_the_int8_logits_allow()
    {
        // Arrange: bert-base at 128 tokens, two heads.
        var q = LayerCompiler.Stack(WorkloadSpec.Parse("bert-base:seq=128"))[0];
        var f = FloatLayer.Forward(q.Spec, q.Dequantized);
        var ia = IntLayerReference.Run(q);

        // Act
        var rows = AttentionPrecision.Measure(q, f, ia, 2);

        // Assert
        foreach (var r in rows)
        {
            output.WriteLine($"{r.Kernel,-44} P cosine {r.PCosine:F5}  O cosine {r.OCosine:F5}");
        }

        var (today, late, ceiling) = (rows[0], rows[1], rows[2]);
        Assert.True(late.PCosine > today.PCosine + 0.01, $"late {late.PCosine} vs today {today.PCosine}");
        Assert.True(late.OCosine > today.OCosine, $"late {late.OCosine} vs today {today.OCosine}");
        Assert.InRange(ceiling.PCosine - late.PCosine, -0.0005, 0.001);
    }
}
