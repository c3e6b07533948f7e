using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using static HwGen.Models.FloatKernels;

namespace HwGen.Models;

/// <summary>
/// A plain C# forward pass of an <see cref="EncoderModel"/> in float32 (the importer's proof against ONNX Runtime),
/// with optional fake quantization for the accuracy study: weights rounded once to int8 per the scheme, activations
/// rounded at each hardware storage point with scales calibrated by <see cref="Calibrate"/>. The nonlinear units
/// (Softmax, GELU, LayerNorm) run in float on the dequantized values; this measures the cost of the storage formats,
/// not of the integer approximations (measured per kernel in docs/numerics.md).
/// </summary>
public sealed partial class FloatEncoder
{
    private readonly EncoderModel model;
    private readonly QuantScheme scheme;
    private readonly Dictionary<string, float> maxAbs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float> minValue = new(StringComparer.Ordinal);
    private readonly List<PreparedLayer> layers;
    private bool calibrating;

    /// <summary>Prepares a float (<paramref name="scheme"/> null) or fake-quantized encoder.</summary>
    public FloatEncoder(EncoderModel model, QuantScheme? scheme = null, IReadOnlyList<int[]>? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
        this.scheme = scheme ?? QuantScheme.Float;
        layers = model.Layers.Select(l => new PreparedLayer(l)).ToList();
        if (this.scheme.GeluSmoothAlpha is not null && this.scheme.Weights != WeightQuantization.Float && !this.scheme.StoresPerColumn.HasFlag(PerColumnStores.Gelu))
        {
            throw new ArgumentException($"the scheme '{this.scheme.Name}' smooths the GELU output, which needs the per-column GELU store ({nameof(PerColumnStores.Gelu)})", nameof(scheme));
        }

        if (this.scheme.NeedsCalibration)
        {
            if (calibration is null || calibration.Count == 0)
            {
                throw new ArgumentException($"the scheme '{this.scheme.Name}' quantizes activations and needs calibration sentences", nameof(calibration));
            }

            Calibrate(calibration);
            if (this.scheme.SmoothAlpha is not null || this.scheme.GeluSmoothAlpha is not null)
            {
                // The factors come from the first pass's channel ranges; the smoothed tensors' ranges from a second.
                Smooth();
                Calibrate(calibration);
            }
        }

        foreach (var l in layers)
        {
            l.QuantizeWeights(this.scheme);
        }

        PrepareIntegerGelu();
    }

    /// <summary>The scheme.</summary>
    public QuantScheme Scheme => scheme;

    /// <summary>
    /// The embedding stage of <paramref name="model"/> in float32: word, position (row i for token i) and token-type 0
    /// rows summed, then the embedding LayerNorm when the model has one. [tokens, hidden].
    /// </summary>
    /// <exception cref="ModelException">More tokens than positions, or a token id outside the vocabulary.</exception>
    public static float[] Embed(EncoderModel model, ReadOnlySpan<int> ids)
    {
        ArgumentNullException.ThrowIfNull(model);
        var n = ids.Length;
        var h = model.Hidden;
        if (n > model.MaxPositions)
        {
            throw new ModelException($"{n} tokens exceed the model's {model.MaxPositions} positions");
        }

        var x = new float[n * h];
        for (var t = 0; t < n; t++)
        {
            if (ids[t] < 0 || ids[t] >= model.Embeddings.Word.Rows)
            {
                throw new ModelException($"token id {ids[t]} is outside the vocabulary of {model.Embeddings.Word.Rows}");
            }

            var row = x.AsSpan(t * h, h);
            Add(row, model.Embeddings.Word.Row(ids[t]));
            Add(row, model.Embeddings.Position.Row(t));
            if (model.Embeddings.TokenType is { } types)
            {
                Add(row, types.Row(0));
            }
        }

        if (model.Embeddings.Norm is { } norm)
        {
            LayerNorm(x, n, norm);
        }

        return x;
    }

    /// <summary>The last hidden state [tokens, hidden] for one sentence (token type 0, no padding).</summary>
    public float[] Forward(ReadOnlySpan<int> ids)
    {
        var x = Embed(model, ids);
        var n = ids.Length;
        for (var li = 0; li < layers.Count; li++)
        {
            x = Layer(li, x, n);
        }

        if (model.FinalNorm is not null)
        {
            LayerNorm(x, n, model.FinalNorm);
        }

        if (scheme.AccumulatorSums)
        {
            x = Quantize("output.res", x, scheme.ResidualBits); // the last LayerNorm's stored output
        }

        return x;
    }

    /// <summary>A sentence embedding: mean or [CLS] pooling of the hidden states, L2-normalized.</summary>
    public static float[] Pool(ReadOnlySpan<float> states, int tokens, Pooling pooling)
    {
        var h = states.Length / tokens;
        var e = new float[h];
        if (pooling == Pooling.Cls)
        {
            states[..h].CopyTo(e);
        }
        else
        {
            for (var t = 0; t < tokens; t++)
            {
                Add(e, states.Slice(t * h, h));
            }
        }

        var norm = MathF.Sqrt(e.Sum(v => v * v));
        for (var i = 0; i < h; i++)
        {
            e[i] /= norm > 0 ? norm : 1f;
        }

        return e;
    }

    private float[] Layer(int li, float[] x, int n)
    {
        var l = layers[li];
        var key = $"l{li}.";
        var r1 = SubLayer(key + "in", key + "attn.out", x, n, scheme.ActivationBits, l.InputSmoothing, l.Source.AttentionNorm, a => AttentionBlock(li, a, n));
        return SubLayer(key + "ffn.in", key + "ffn.out", r1, n, scheme.FfnInputBits, l.FfnSmoothing, l.Source.FfnNorm, a => Ffn(li, a, n));
    }

    /// <summary>
    /// One residual sub-layer: the block reads its input rounded at <paramref name="point"/> (after the LayerNorm for
    /// pre-LN), its output (rounded at <paramref name="outPoint"/>, or left in the accumulator with
    /// <see cref="QuantScheme.AccumulatorSums"/>) is added to the input rounded at <c>point.res</c>, and post-LN
    /// normalizes the sum.
    /// </summary>
    private float[] SubLayer(string point, string outPoint, float[] x, int n, int? bits, float[]? smoothing, LayerNormWeights norm, Func<float[], float[]> block)
    {
        var preNorm = model.Placement == NormPlacement.PreNorm;
        var input = x;
        if (preNorm)
        {
            input = (float[])x.Clone();
            LayerNorm(input, n, norm);
        }

        RecordChannels(point, input, model.Hidden);
        var y = block(Quantize(point, input, bits, channelScale: smoothing));
        var residual = Quantize(point + ".res", x, scheme.ResidualBits);
        var sum = scheme.AccumulatorSums ? y : Quantize(outPoint, y, scheme.ResidualBits);
        Add(sum, residual);
        if (!preNorm)
        {
            LayerNorm(sum, n, norm);
        }

        return sum;
    }

    private float[] AttentionBlock(int li, float[] x, int n)
    {
        var l = layers[li];
        var key = $"l{li}.";
        var src = l.Source;
        var q = Quantize(key + "q", Linear(x, n, l.Query), scheme.ActivationBits);
        var k = Quantize(key + "k", Linear(x, n, l.Key), scheme.ActivationBits);
        var v = Quantize(key + "v", Linear(x, n, l.Value), scheme.ActivationBits);
        var width = src.AttentionWidth;
        var d = src.HeadDim;
        var context = new float[n * width];
        var scores = new float[n];
        if (UsesIntegerSoftmax)
        {
            IntegerAttention(key, src, q, k, v, context, n);
            return Linear(Quantize(key + "ctx", context, scheme.ActivationBits), n, l.Output);
        }

        for (var head = 0; head < src.Heads; head++)
        {
            for (var i = 0; i < n; i++)
            {
                var qi = q.AsSpan((i * width) + (head * d), d);
                var max = float.NegativeInfinity;
                for (var j = 0; j < n; j++)
                {
                    scores[j] = Dot(qi, k.AsSpan((j * width) + (head * d), d)) * src.ScoreScale;
                    max = MathF.Max(max, scores[j]);
                }

                var sum = 0f;
                for (var j = 0; j < n; j++)
                {
                    scores[j] = MathF.Exp(scores[j] - max);
                    sum += scores[j];
                }

                var ctx = context.AsSpan((i * width) + (head * d), d);
                for (var j = 0; j < n; j++)
                {
                    var p = scores[j] / sum;
                    if (scheme.ActivationBits is not null)
                    {
                        // The Softmax unit's output format: unsigned 8 bits, scale 2^-8.
                        p = Math.Clamp(MathF.Round(p * 256f, MidpointRounding.AwayFromZero), 0f, 255f) / 256f;
                    }

                    Axpy(ctx, p, v.AsSpan((j * width) + (head * d), d));
                }
            }
        }

        return Linear(Quantize(key + "ctx", context, scheme.ActivationBits), n, l.Output);
    }

    private float[] Ffn(int li, float[] a, int n)
    {
        var l = layers[li];
        var g = Linear(a, n, l.Ffn1);
        if (l.GeluConstants is not null && !calibrating)
        {
            return Linear(IntegerGelu(li, g), n, l.Ffn2);
        }

        var tanh = l.Source.Gelu == GeluForm.Tanh;
        for (var i = 0; i < g.Length; i++)
        {
            var v = (double)g[i];
            g[i] = (float)(tanh
                ? 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v))))
                : 0.5 * v * (1 + ReferenceFunctions.Erf(v / Math.Sqrt(2.0))));
        }

        RecordChannels($"l{li}.gelu", g, l.Source.FfnWidth);
        return Linear(Quantize($"l{li}.gelu", g, scheme.GeluOutputBits, channelScale: l.GeluSmoothing, zeroPoint: scheme.GeluZeroPoint), n, l.Ffn2);
    }

    /// <summary>
    /// Rounds a tensor to <paramref name="bits"/> with its calibrated per-tensor scale (or records its range while
    /// calibrating). Returns a new array; the input is unchanged. With a channel scale (SmoothQuant), the tensor is
    /// divided by it first (the weights were multiplied by it), quantized, and left divided: the next projection's
    /// weights hold the factor.
    /// </summary>
    private float[] Quantize(string point, float[] x, int? bits, float[]? channelScale = null, bool zeroPoint = false)
    {
        var y = (float[])x.Clone();
        if (channelScale is not null)
        {
            var w = channelScale.Length;
            for (var i = 0; i < y.Length; i++)
            {
                y[i] /= channelScale[i % w];
            }
        }

        if (calibrating)
        {
            var m = 0f;
            foreach (var v in y)
            {
                m = MathF.Max(m, MathF.Abs(v));
            }

            maxAbs[point] = Math.Max(maxAbs.GetValueOrDefault(point), m);
            minValue[point] = Math.Min(minValue.GetValueOrDefault(point), y.Min());
            if (scheme.ClipPercentile is not null)
            {
                if (!samples.TryGetValue(point, out var list))
                {
                    samples[point] = list = [];
                }

                list.AddRange(y.Select(MathF.Abs));
            }

            return y;
        }

        if (bits is null || bits >= 32)
        {
            return y; // 32-bit fixed point at the calibrated scale is below float32's own rounding here.
        }

        var qmax = (1 << (bits.Value - 1)) - 1;
        if (zeroPoint)
        {
            var (s, z) = AsymmetricFormat(point, bits.Value);
            for (var i = 0; i < y.Length; i++)
            {
                y[i] = (Math.Clamp(MathF.Round(y[i] / s, MidpointRounding.AwayFromZero) + z, -qmax - 1, qmax) - z) * s;
            }

            return y;
        }

        var scale = ScaleOf(point, bits.Value);
        if (bits == 8)
        {
            for (var i = 0; i < y.Length; i++)
            {
                y[i] = (float)SymmetricQuantizer.Dequantize(SymmetricQuantizer.Quantize(y[i], scale), scale);
            }
        }
        else
        {
            for (var i = 0; i < y.Length; i++)
            {
                y[i] = Math.Clamp(MathF.Round(y[i] / scale, MidpointRounding.AwayFromZero), -qmax, qmax) * scale;
            }
        }

        return y;
    }

    /// <summary>
    /// The calibrated asymmetric format of <paramref name="point"/>: the range [min, max|x|] spread over all
    /// 2^bits codes, scale s and zero point z (real value (q − z)·s, the calibrated minimum at the lowest code).
    /// </summary>
    private (float Scale, int Zero) AsymmetricFormat(string point, int bits)
    {
        var lo = minValue.GetValueOrDefault(point);
        var hi = maxAbs.GetValueOrDefault(point);
        var scale = hi > lo ? (hi - lo) / ((1 << bits) - 1) : 1f;
        return (scale, -(1 << (bits - 1)) - (int)MathF.Round(lo / scale, MidpointRounding.AwayFromZero));
    }

    /// <summary>The calibrated symmetric scale of <paramref name="point"/> at <paramref name="bits"/> (1 for an all-zero range).</summary>
    private float ScaleOf(string point, int bits) => maxAbs.GetValueOrDefault(point) is var m and > 0 ? m / ((1 << (bits - 1)) - 1) : 1f;
}
