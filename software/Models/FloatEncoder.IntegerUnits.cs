using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using static HwGen.Models.FloatKernels;

namespace HwGen.Models;

/// <summary>The bit-exact integer Softmax and GELU units inside the fake-quantized pass (<see cref="QuantScheme.IntegerUnits"/>).</summary>
public sealed partial class FloatEncoder
{
    private bool UsesIntegerSoftmax => scheme.IntegerUnits && scheme.ActivationBits == 8 && !calibrating;

    /// <summary>
    /// Attention with the Softmax unit's integer kernel: int8 Q and K (calibrated scales), exact int32 QKᵀ,
    /// <see cref="IntSoftmax"/> to int8 probabilities with scale 2⁻⁷, then probabilities·V.
    /// </summary>
    private void IntegerAttention(string key, EncoderLayer src, float[] q, float[] k, float[] v, float[] context, int n)
    {
        var width = src.AttentionWidth;
        var d = src.HeadDim;
        var sq = maxAbs.GetValueOrDefault(key + "q") / SymmetricQuantizer.QMax;
        var sk = maxAbs.GetValueOrDefault(key + "k") / SymmetricQuantizer.QMax;
        var constants = IntSoftmaxConstants.FromScale(sq * sk, src.ScoreScale);
        var qi8 = q.Select(x => SymmetricQuantizer.Quantize(x, sq)).ToArray();
        var ki8 = k.Select(x => SymmetricQuantizer.Quantize(x, sk)).ToArray();
        var row = new int[n];
        var probs = new sbyte[n];
        for (var head = 0; head < src.Heads; head++)
        {
            for (var i = 0; i < n; i++)
            {
                var qRow = qi8.AsSpan((i * width) + (head * d), d);
                for (var j = 0; j < n; j++)
                {
                    row[j] = IntegerMac.Dot(qRow, ki8.AsSpan((j * width) + (head * d), d));
                }

                IntSoftmax.Apply(row, probs, constants);
                var ctx = context.AsSpan((i * width) + (head * d), d);
                for (var j = 0; j < n; j++)
                {
                    Axpy(ctx, (float)(probs[j] * IntSoftmaxConstants.OutputScale), v.AsSpan((j * width) + (head * d), d));
                }
            }
        }
    }

    /// <summary>
    /// The GELU unit's constants per FFN column, when the scheme runs it (integer units, int8 GELU output, rounded
    /// weights, erf GELU): input = FFN1's int32 accumulator at the FFN input's scale times the column's weight scale;
    /// output int8 at the GELU output's scale, times the column's smoothing factor when the output is smoothed.
    /// </summary>
    private void PrepareIntegerGelu()
    {
        if (!scheme.IntegerUnits || scheme.GeluOutputBits != 8 || scheme.FfnInputBits is not { } inputBits)
        {
            return;
        }

        for (var li = 0; li < layers.Count; li++)
        {
            var l = layers[li];
            if (l.Source.Gelu != GeluForm.Erf || l.Ffn1.ColumnScales is not { } weightScales)
            {
                continue;
            }

            var inputScale = ScaleOf($"l{li}.ffn.in", inputBits);
            var outputScale = GeluOutputFormat(li).Scale;
            l.GeluConstants = weightScales
                .Select((w, c) => IntGeluConstants.FromScale(inputScale * w, outputScale * (l.GeluSmoothing?[c] ?? 1f)))
                .ToArray();
        }
    }

    /// <summary>
    /// The GELU unit on FFN1's output: the int32 accumulator (recovered from the fake-quantized sum at its scale),
    /// <see cref="IntGelu"/>'s product requantized to int8 (plus the zero point, saturated), returned at the tensor's scale (divided by the smoothing factors, which FFN2's
    /// rows hold).
    /// </summary>
    private float[] IntegerGelu(int li, float[] g)
    {
        var constants = layers[li].GeluConstants!;
        var (tensorScale, zero) = GeluOutputFormat(li);
        var width = constants.Length;
        var h = new float[g.Length];
        for (var i = 0; i < g.Length; i++)
        {
            var c = constants[i % width];
            var acc = (int)Math.Clamp(Math.Round(g[i] / c.InputScale, MidpointRounding.AwayFromZero), int.MinValue, int.MaxValue);
            var code = FixedPoint.RoundShift(IntGelu.Product(acc, c) * c.Output.Multiplier, c.Output.Shift) + zero;
            h[i] = (float)((Math.Clamp(code, sbyte.MinValue, sbyte.MaxValue) - zero) * tensorScale);
        }

        return h;
    }

    /// <summary>The int8 GELU output's scale (of the tensor divided by the smoothing factors) and zero point (0 unless <see cref="QuantScheme.GeluZeroPoint"/>).</summary>
    private (float Scale, int Zero) GeluOutputFormat(int li) =>
        scheme.GeluZeroPoint ? AsymmetricFormat($"l{li}.gelu", 8) : (ScaleOf($"l{li}.gelu", 8), 0);
}
