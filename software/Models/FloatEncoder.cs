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
public sealed class FloatEncoder
{
    private readonly EncoderModel model;
    private readonly QuantScheme scheme;
    private readonly Dictionary<string, float> maxAbs = new(StringComparer.Ordinal);
    private readonly List<PreparedLayer> layers;
    private bool calibrating;

    /// <summary>Prepares a float (<paramref name="scheme"/> null) or fake-quantized encoder.</summary>
    public FloatEncoder(EncoderModel model, QuantScheme? scheme = null, IReadOnlyList<int[]>? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
        this.scheme = scheme ?? QuantScheme.Float;
        layers = model.Layers.Select(l => new PreparedLayer(l)).ToList();
        if (this.scheme.NeedsCalibration)
        {
            if (calibration is null || calibration.Count == 0)
            {
                throw new ArgumentException($"the scheme '{this.scheme.Name}' quantizes activations and needs calibration sentences", nameof(calibration));
            }

            Calibrate(calibration);
        }

        if (this.scheme.SmoothAlpha is { } alpha)
        {
            Smooth(alpha);
        }

        foreach (var l in layers)
        {
            l.QuantizeWeights(this.scheme.Weights);
        }
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

    private readonly Dictionary<string, List<float>> samples = new(StringComparer.Ordinal);

    private void Calibrate(IReadOnlyList<int[]> sentences)
    {
        calibrating = true;
        foreach (var s in sentences)
        {
            Forward(s);
        }

        calibrating = false;
        if (scheme.ClipPercentile is { } p)
        {
            // Activation points only: the residual stream and sub-layer outputs keep their maximum (they are 16 bits or more).
            foreach (var (point, values) in samples.Where(kv => !kv.Key.Contains(".res", StringComparison.Ordinal) && !kv.Key.EndsWith(".out", StringComparison.Ordinal)))
            {
                values.Sort();
                maxAbs[point] = values[(int)Math.Min(values.Count - 1, Math.Ceiling(p / 100.0 * (values.Count - 1)))];
            }

            samples.Clear();
        }
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
    /// pre-LN), its output rounded at <paramref name="outPoint"/> is added to the input rounded at <c>point.res</c>, and
    /// post-LN normalizes the sum.
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

        var y = block(Quantize(point, input, bits, channelScale: smoothing));
        var residual = Quantize(point + ".res", x, scheme.ResidualBits);
        var sum = Quantize(outPoint, y, scheme.ResidualBits);
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

    private float[] Ffn(int li, float[] a, int n)
    {
        var l = layers[li];
        var g = Linear(a, n, l.Ffn1);
        if (calibrating)
        {
            Quantize($"l{li}.ffn1.out", g, null);
        }
        else if (scheme.IntegerUnits && scheme.FfnInputBits == 8 && l.Source.Gelu == GeluForm.Erf)
        {
            // The GELU unit: FFN1's output requantized to int8, I-GELU to int8 at the calibrated GELU-output scale.
            var sIn = maxAbs.GetValueOrDefault($"l{li}.ffn1.out") / SymmetricQuantizer.QMax;
            var sOut = maxAbs.GetValueOrDefault($"l{li}.gelu") / SymmetricQuantizer.QMax;
            var constants = IntGeluConstants.FromScale(sIn, sOut);
            var input = g.Select(x => SymmetricQuantizer.Quantize(x, sIn)).ToArray();
            var output = new sbyte[input.Length];
            IntGelu.Apply(input, output, constants);
            return Linear(output.Select(o => (float)(o * sOut)).ToArray(), n, l.Ffn2);
        }

        var tanh = l.Source.Gelu == GeluForm.Tanh;
        for (var i = 0; i < g.Length; i++)
        {
            var v = (double)g[i];
            g[i] = (float)(tanh
                ? 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v))))
                : 0.5 * v * (1 + ReferenceFunctions.Erf(v / Math.Sqrt(2.0))));
        }

        return Linear(Quantize($"l{li}.gelu", g, scheme.FfnInputBits), n, l.Ffn2);
    }

    /// <summary>
    /// Rounds a tensor to <paramref name="bits"/> with its calibrated per-tensor scale (or records its range while
    /// calibrating). Returns a new array; the input is unchanged. With a channel scale (SmoothQuant), the tensor is
    /// divided by it first (the weights were multiplied by it), quantized, and left divided: the next projection's
    /// weights hold the factor.
    /// </summary>
    private float[] Quantize(string point, float[] x, int? bits, float[]? channelScale = null)
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
            if (scheme.ClipPercentile is not null)
            {
                if (!samples.TryGetValue(point, out var list))
                {
                    samples[point] = list = [];
                }

                list.AddRange(y.Select(MathF.Abs));
            }

            if (channelScale is null)
            {
                RecordChannels(point, x);
            }

            return y;
        }

        if (bits is null || bits >= 32)
        {
            return y; // 32-bit fixed point at the calibrated scale is below float32's own rounding here.
        }

        var qmax = (1 << (bits.Value - 1)) - 1;
        var scale = maxAbs.GetValueOrDefault(point) is var mx and > 0 ? mx / qmax : 1f;
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

    private readonly Dictionary<string, float[]> channelMax = new(StringComparer.Ordinal);

    private void RecordChannels(string point, float[] x)
    {
        if (!point.EndsWith(".in", StringComparison.Ordinal))
        {
            return;
        }

        var h = model.Hidden;
        if (!channelMax.TryGetValue(point, out var m))
        {
            channelMax[point] = m = new float[h];
        }

        for (var i = 0; i < x.Length; i++)
        {
            m[i % h] = MathF.Max(m[i % h], MathF.Abs(x[i]));
        }
    }

    private void Smooth(double alpha)
    {
        // SmoothQuant: s_j = max|X_j|^α / max|W_j|^(1−α) over the projections reading X; X/s and s·W keep X·W unchanged.
        for (var li = 0; li < layers.Count; li++)
        {
            var l = layers[li];
            l.InputSmoothing = Factors(channelMax.GetValueOrDefault($"l{li}.in"), [l.Query, l.Key, l.Value], alpha);
            l.FfnSmoothing = Factors(channelMax.GetValueOrDefault($"l{li}.ffn.in"), [l.Ffn1], alpha);
            l.ApplySmoothing();
        }

        // The activation ranges change with the factors: calibrate again on the same sentences' recorded maxima.
        foreach (var key in maxAbs.Keys.Where(k => k.EndsWith(".in", StringComparison.Ordinal)).ToList())
        {
            var li = int.Parse(key[1..key.IndexOf('.', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            var s = key.EndsWith("ffn.in", StringComparison.Ordinal) ? layers[li].FfnSmoothing : layers[li].InputSmoothing;
            var cm = channelMax[key];
            maxAbs[key] = s is null ? maxAbs[key] : cm.Select((v, j) => v / s[j]).Max();
        }
    }

    private static float[]? Factors(float[]? xMax, float[][] weights, double alpha)
    {
        if (xMax is null)
        {
            return null;
        }

        var h = xMax.Length;
        var s = new float[h];
        for (var j = 0; j < h; j++)
        {
            var wMax = 0f;
            foreach (var w in weights)
            {
                var cols = w.Length / h;
                for (var c = 0; c < cols; c++)
                {
                    wMax = MathF.Max(wMax, MathF.Abs(w[(j * cols) + c]));
                }
            }

            var v = Math.Pow(Math.Max(xMax[j], 1e-5), alpha) / Math.Pow(Math.Max(wMax, 1e-5), 1 - alpha);
            s[j] = (float)Math.Clamp(v, 1e-2, 1e2);
        }

        return s;
    }
}
