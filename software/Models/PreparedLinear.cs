using HwGen.Software.Numerics;

namespace HwGen.Models;

/// <summary>A projection's weights as used by the forward pass (possibly smoothed and rounded).</summary>
internal sealed class PreparedLinear(LinearWeights source)
{
    public int In { get; } = source.In;

    public int Out { get; } = source.Out;

    public float[] Weight { get; } = source.Weight.Data.ToArray();

    public float[] Bias { get; } = source.Bias.Data.ToArray();

    /// <summary>The int8 scale of each output column after <see cref="Quantize"/> (all equal per tensor); null while float.</summary>
    public double[]? ColumnScales { get; private set; }

    public static implicit operator float[](PreparedLinear p) => p.Weight;

    public void ScaleRows(float[] s)
    {
        for (var r = 0; r < In; r++)
        {
            for (var c = 0; c < Out; c++)
            {
                Weight[(r * Out) + c] *= s[r];
            }
        }
    }

    public void Quantize(WeightQuantization mode)
    {
        if (mode == WeightQuantization.Float)
        {
            return;
        }

        var scales = new double[Out];
        for (var c = 0; c < Out; c++)
        {
            for (var r = 0; r < In; r++)
            {
                scales[c] = Math.Max(scales[c], Math.Abs(Weight[(r * Out) + c]));
            }
        }

        if (mode == WeightQuantization.PerTensor)
        {
            Array.Fill(scales, scales.Max());
        }

        for (var c = 0; c < Out; c++)
        {
            var s = scales[c] = scales[c] > 0 ? scales[c] / SymmetricQuantizer.QMax : 1.0;
            for (var r = 0; r < In; r++)
            {
                Weight[(r * Out) + c] = (float)SymmetricQuantizer.Dequantize(SymmetricQuantizer.Quantize(Weight[(r * Out) + c], s), s);
            }
        }

        ColumnScales = scales;
    }
}
