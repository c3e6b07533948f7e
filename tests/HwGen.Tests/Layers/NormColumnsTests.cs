using HwGen.Software.Layers;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Tests.Layers;

public sealed class NormColumnsTests
{
    [Fact]
    public void With_equal_columns_the_column_mode_is_the_per_tensor_LayerNorm_at_16_bits()
    {
        // Arrange: every input column at one scale, every residual column at one scale.
        const int n = 48;
        var rng = new Random(3);
        var gamma = Enumerable.Range(0, n).Select(_ => 0.8 + (0.4 * rng.NextDouble())).ToArray();
        var beta = Enumerable.Range(0, n).Select(_ => (rng.NextDouble() - 0.5) * 0.2).ToArray();
        var norm = NormColumns.Create(Enumerable.Repeat(1e-4, n).ToArray(), Enumerable.Repeat(3e-4, n).ToArray(), gamma, beta, 0.05);
        var perTensor = IntLayerNormConstants.FromScales(n, 1e-4, 3e-4, norm.Constants.GammaScale, 0.05);
        var x = Enumerable.Range(0, 4 * n).Select(_ => rng.Next(-200_000, 200_000)).ToArray();
        var r = Enumerable.Range(0, 4 * n).Select(_ => (short)rng.Next(-30_000, 30_000)).ToArray();

        // Act
        var wide = norm.Apply(x, r, 4);

        // Assert: m = 2^15 at shift 15 leaves x as it is; A is the per-tensor alignment; the narrowed output is the int8 LayerNorm.
        Assert.All(norm.InMultiplier, m => Assert.Equal(1 << NormColumns.InputBits, m));
        Assert.All(norm.ResidualMultiplier, a => Assert.Equal(perTensor.Residual!.Multiplier, a));
        Assert.Equal(perTensor.Residual!.Shift, norm.ResidualShift);
        for (var row = 0; row < 4; row++)
        {
            var expected = new sbyte[n];
            IntLayerNorm.Apply(x.AsSpan(row * n, n), r.Skip(row * n).Take(n).Select(v => (int)v).ToArray(), norm.Gamma, norm.Beta, expected, perTensor);
            Assert.Equal(expected, wide.Skip(row * n).Take(n).Select(FixedPoint.NarrowWide).ToArray());
        }
    }

    [Fact]
    public void Columns_at_half_the_scale_are_rescaled_before_the_statistics()
    {
        // Arrange: column j's input at scale 1e-4 · (j even ? 1 : 0.5); the same real row written both ways.
        const int n = 32;
        var scales = Enumerable.Range(0, n).Select(j => j % 2 == 0 ? 1e-4 : 0.5e-4).ToArray();
        var norm = NormColumns.Create(scales, Enumerable.Repeat(1e-4, n).ToArray(), Enumerable.Repeat(1.0, n).ToArray(), new double[n], 0.05);
        var real = Enumerable.Range(0, n).Select(j => (j * 37 % 11) - 5.0).ToArray();
        var x = real.Select((v, j) => (int)Math.Round(v * 1000 * 1e-4 / scales[j])).ToArray();
        var uniform = real.Select(v => (int)Math.Round(v * 1000)).ToArray();

        // Act
        var y = norm.Apply(x, new short[n], 1);
        var expected = NormColumns.Create(Enumerable.Repeat(1e-4, n).ToArray(), Enumerable.Repeat(1e-4, n).ToArray(), Enumerable.Repeat(1.0, n).ToArray(), new double[n], 0.05)
            .Apply(uniform, new short[n], 1);

        // Assert
        Assert.Equal(16384, norm.InMultiplier[1]);
        Assert.Equal(expected, y);
        Assert.Equal([norm.Gamma.Select(g => (int)(ushort)g | (norm.InMultiplier[0] << 16)).First(), norm.Beta[0], norm.ResidualMultiplier[0]], norm.Vectors().Select(v => v[0]).ToArray());
    }
}
