using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>
/// A post-LN layer in integers: int8 weights with one scale per tensor (the store requantization has one
/// multiplier/shift), int32 biases (scale S_in·S_w), activation scales calibrated from the layer's own float run
/// (S = max|x|/127), and the kernel constants. Names follow <see cref="FloatActivations"/>.
/// </summary>
public sealed partial record QuantizedLayer
{
    /// <summary>The layer.</summary>
    public required LayerSpec Spec { get; init; }

    /// <summary>The seed of the weights.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Input, Seq×Hidden int8, scale <see cref="ScaleX"/>.</summary>
    public required sbyte[] X { get; init; }

    /// <summary>Weights (in×out int8) and their scales; biases int32.</summary>
    public required sbyte[] Wq { get; init; }
    /// <summary>Key weights.</summary>
    public required sbyte[] Wk { get; init; }
    /// <summary>Value weights.</summary>
    public required sbyte[] Wv { get; init; }
    /// <summary>Output projection weights.</summary>
    public required sbyte[] Wo { get; init; }
    /// <summary>FFN1 weights.</summary>
    public required sbyte[] W1 { get; init; }
    /// <summary>FFN2 weights.</summary>
    public required sbyte[] W2 { get; init; }
    /// <summary>Query bias.</summary>
    public required int[] Bq { get; init; }
    /// <summary>Key bias.</summary>
    public required int[] Bk { get; init; }
    /// <summary>Value bias.</summary>
    public required int[] Bv { get; init; }
    /// <summary>Output projection bias.</summary>
    public required int[] Bo { get; init; }
    /// <summary>FFN1 bias.</summary>
    public required int[] B1 { get; init; }
    /// <summary>FFN2 bias.</summary>
    public required int[] B2 { get; init; }
    /// <summary>LayerNorm 1 γ (int16) and β (units S_x1/2^8).</summary>
    public required short[] Gamma1 { get; init; }
    /// <summary>LayerNorm 1 β.</summary>
    public required int[] Beta1 { get; init; }
    /// <summary>LayerNorm 2 γ.</summary>
    public required short[] Gamma2 { get; init; }
    /// <summary>LayerNorm 2 β.</summary>
    public required int[] Beta2 { get; init; }

    /// <summary>Weight scales: q, k, v, o, ffn1, ffn2.</summary>
    public required double[] WeightScales { get; init; }

    /// <summary>Activation scales.</summary>
    public required double ScaleX { get; init; }
    /// <summary>Query scale.</summary>
    public required double ScaleQ { get; init; }
    /// <summary>Key scale.</summary>
    public required double ScaleK { get; init; }
    /// <summary>Value scale.</summary>
    public required double ScaleV { get; init; }
    /// <summary>Attention output scale.</summary>
    public required double ScaleO { get; init; }
    /// <summary>LayerNorm 1 output scale.</summary>
    public required double ScaleX1 { get; init; }
    /// <summary>GELU output scale.</summary>
    public required double ScaleH { get; init; }
    /// <summary>Layer output scale.</summary>
    public required double ScaleY { get; init; }

    /// <summary>Store requantizations: Q, K, V projections and P·V.</summary>
    public required Requantization RequantQ { get; init; }
    /// <summary>Key requantization.</summary>
    public required Requantization RequantK { get; init; }
    /// <summary>Value requantization.</summary>
    public required Requantization RequantV { get; init; }
    /// <summary>P·V requantization (P has scale 2^-7).</summary>
    public required Requantization RequantO { get; init; }

    /// <summary>Softmax input conversion with 1/√d folded in.</summary>
    public required IntSoftmaxConstants Softmax { get; init; }
    /// <summary>LayerNorm 1: input O·Wo+bo, residual X.</summary>
    public required IntLayerNormConstants Norm1 { get; init; }
    /// <summary>GELU on X1·W1+b1.</summary>
    public required IntGeluConstants Gelu { get; init; }
    /// <summary>LayerNorm 2: input H·W2+b2, residual X1.</summary>
    public required IntLayerNormConstants Norm2 { get; init; }

    /// <summary>Pre-LN only: output scale of LayerNorm 1 (the attention input A1); 0 for post-LN.</summary>
    public double ScaleA1 { get; init; }

    /// <summary>Pre-LN only: output scale of LayerNorm 2 (the FFN input A2); 0 for post-LN.</summary>
    public double ScaleA2 { get; init; }

    /// <summary>Pre-LN only: X1 = requant(O·Wo + bo + aligned X).</summary>
    public IntResidualAddConstants? Add1 { get; init; }

    /// <summary>Pre-LN only: Y = requant(H·W2 + b2 + aligned X1).</summary>
    public IntResidualAddConstants? Add2 { get; init; }

    /// <summary>
    /// Bits of the projection and FFN weights: 8 (-127..127), or 4 (-7..7, one clipped scale per tensor; stored packed two a
    /// byte and read with <c>load int4</c>, docs/numerics.md). The integers are the same kind either way, so the golden
    /// model and <see cref="IntLayerReference"/> need nothing else.
    /// </summary>
    public int WeightBits { get; init; } = 8;

    /// <summary>Per-output-channel int4 scales of Wq, Wk, Wv and W1 (<c>chscale</c>), or null for one scale per tensor.</summary>
    public ChannelScales? Channels { get; init; }

    /// <summary>Float weights after quantization (dequantized), for the accuracy reference.</summary>
    public required LayerWeights Dequantized { get; init; }

    /// <summary>Quantizes a layer, calibrating the activation scales on its float run.</summary>
    public static QuantizedLayer Create(LayerSpec spec, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Create(spec, seed, LayerWeights.Create(spec, seed), null, 8, false).Layer;
    }

    /// <summary>
    /// A stack of <paramref name="layers"/> layers: layer i has the weights of seed + i; its input is the previous
    /// layer's output, in float for calibration and as the previous layer's int8 output (and scale) for the integers.
    /// With <paramref name="masks"/> (one per layer), layer i's seeded weights are pruned by mask i
    /// (<see cref="LayerPruning.Apply"/>) before calibration and quantization.
    /// </summary>
    /// <exception cref="ArgumentException">Not one mask per layer, or a mask that does not fit the layer.</exception>
    public static IReadOnlyList<QuantizedLayer> CreateStack(LayerSpec spec, ulong seed, int layers, IReadOnlyList<LayerMask>? masks = null, int weightBits = 8,
        bool channelScales = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        if (masks is not null && masks.Count != layers)
        {
            throw new ArgumentException($"{masks.Count} pruning masks for {layers} layers", nameof(masks));
        }

        var list = new List<QuantizedLayer>();
        double[]? floatInput = null;
        (sbyte[] X, double Scale)? input = null;
        for (var i = 0; i < layers; i++)
        {
            var w = LayerWeights.Create(spec, seed + (ulong)i);
            if (floatInput is not null)
            {
                w = w with { Input = floatInput };
            }

            var layerSpec = spec;
            if (masks?[i] is { } mask)
            {
                (layerSpec, w) = LayerPruning.Apply(spec, w, mask);
            }

            var (q, fl) = Create(layerSpec, seed + (ulong)i, w, input, weightBits, channelScales);
            list.Add(q);
            floatInput = fl.Y;
            if (i + 1 < layers)
            {
                input = (IntLayerReference.Run(q).Y, q.ScaleY);
            }
        }

        return list;
    }

    /// <summary>Scale of the int8 tensor Q, K and V are computed from (X, or A1 for pre-LN).</summary>
    public double AttentionInputScale => Spec.PreLayerNorm ? ScaleA1 : ScaleX;

    /// <summary>Scale of the int8 tensor FFN1 is computed from (X1, or A2 for pre-LN).</summary>
    public double FfnInputScale => Spec.PreLayerNorm ? ScaleA2 : ScaleX1;

    /// <summary>Output scale of LayerNorm 1 (X1, or A1 for pre-LN).</summary>
    public double Norm1OutputScale => Spec.PreLayerNorm ? ScaleA1 : ScaleX1;

    /// <summary>Output scale of LayerNorm 2 (Y, or A2 for pre-LN).</summary>
    public double Norm2OutputScale => Spec.PreLayerNorm ? ScaleA2 : ScaleY;

    /// <summary>
    /// Post-LN (BERT, ViT): X1 = LN1(X + O·Wo + bo), Y = LN2(X1 + H·W2 + b2). Pre-LN (GPT-2): A1 = LN1(X); Q, K, V from A1;
    /// X1 = X + O·Wo + bo; A2 = LN2(X1); H = GELU(A2·W1 + b1); Y = X1 + H·W2 + b2, where the LayerNorms have no residual
    /// and the residual adds are <c>normalize func=add</c>. Both quantize the same way; only which scale feeds which
    /// constant differs.
    /// </summary>
    private static (QuantizedLayer Layer, FloatActivations Float) Create(LayerSpec spec, ulong seed, LayerWeights w, (sbyte[] X, double Scale)? input, int weightBits,
        bool channelScales)
    {
        (w, var balanced, var fl) = QkBalance.Calibrate(spec, w);
        var scales = LayerScales.Of(w.Input, balanced);
        var (x, sx) = input ?? Quantize(w.Input, scales.X);
        return (Create(spec, seed, w, scales with { X = sx }, x, weightBits, channelScales), fl);
    }

    /// <summary>
    /// Quantizes float weights <paramref name="w"/> (int8, one scale per tensor; int32 biases; γ/β) with given activation
    /// <paramref name="scales"/> (an imported model's calibration), for the int8 input <paramref name="x"/> at scale
    /// <c>scales.X</c>. <c>w.Input</c> is not read; <see cref="Dequantized"/> holds the dequantized <paramref name="x"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A weight, bias or input whose length does not match <paramref name="spec"/>.</exception>
    public static QuantizedLayer Create(LayerSpec spec, ulong seed, LayerWeights w, LayerScales scales, sbyte[] x, int weightBits = 8, bool channelScales = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(x);
        int h = spec.Hidden, f = spec.Ffn;
        Check(x.Length, spec.Seq * h, "input");
        Check(w.Wq.Length + w.Wk.Length + w.Wv.Length + w.Wo.Length, 4 * h * spec.AttentionWidth, "attention weights");
        Check(w.Bq.Length + w.Bk.Length + w.Bv.Length, 3 * spec.AttentionWidth, "attention biases");
        Check(w.W1.Length + w.W2.Length, 2 * h * f, "FFN weights");
        Check(w.B1.Length, f, "FFN1 bias");
        if (weightBits is not (4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(weightBits), weightBits, "weights are 4 or 8 bits");
        }

        if (channelScales && weightBits != 4)
        {
            throw new ArgumentException("per-channel weight scales are for int4 weights", nameof(channelScales));
        }

        if (channelScales)
        {
            return CreateChannels(spec, seed, w, scales, x);
        }

        var pre = spec.PreLayerNorm;
        var sx = scales.X;
        double sq = scales.Q, sk = scales.K, sv = scales.V, so = scales.O, sx1 = scales.X1, sh = scales.H, sy = scales.Y;
        double sa1 = pre ? scales.A1 : 0, sa2 = pre ? scales.A2 : 0;

        // The int8 inputs of the attention and the FFN, and the output scales of the two LayerNorms.
        double sIn = pre ? sa1 : sx, sFfn = pre ? sa2 : sx1, sLn1 = pre ? sa1 : sx1, sLn2 = pre ? sa2 : sy;
        var (wq, swq) = Weights(w.Wq, weightBits);
        var (wk, swk) = Weights(w.Wk, weightBits);
        var (wv, swv) = Weights(w.Wv, weightBits);
        var (wo, swo) = Weights(w.Wo, weightBits);
        var (w1, sw1) = Weights(w.W1, weightBits);
        var (w2, sw2) = Weights(w.W2, weightBits);
        var (g1, sg1) = IntLayerNormConstants.QuantizeGamma(w.Gamma1);
        var (g2, sg2) = IntLayerNormConstants.QuantizeGamma(w.Gamma2);
        var bq = Bias(w.Bq, sIn * swq);
        var bk = Bias(w.Bk, sIn * swk);
        var bv = Bias(w.Bv, sIn * swv);
        var bo = Bias(w.Bo, so * swo);
        var b1 = Bias(w.B1, sFfn * sw1);
        var b2 = Bias(w.B2, sh * sw2);
        var be1 = IntLayerNormConstants.QuantizeBeta(w.Beta1, sLn1);
        var be2 = IntLayerNormConstants.QuantizeBeta(w.Beta2, sLn2);
        var deq = new LayerWeights(
            Deq(x, sx),
            Deq(wq, swq), Deq(bq, sIn * swq), Deq(wk, swk), Deq(bk, sIn * swk), Deq(wv, swv), Deq(bv, sIn * swv), Deq(wo, swo), Deq(bo, so * swo),
            Deq(g1, sg1), Deq(be1, sLn1 / 256), Deq(w1, sw1), Deq(b1, sFfn * sw1), Deq(w2, sw2), Deq(b2, sh * sw2), Deq(g2, sg2), Deq(be2, sLn2 / 256));
        return new QuantizedLayer
        {
            Spec = spec,
            Seed = seed,
            X = x,
            Wq = wq, Wk = wk, Wv = wv, Wo = wo, W1 = w1, W2 = w2,
            Bq = bq, Bk = bk, Bv = bv, Bo = bo, B1 = b1, B2 = b2,
            Gamma1 = g1, Beta1 = be1, Gamma2 = g2, Beta2 = be2,
            WeightScales = [swq, swk, swv, swo, sw1, sw2],
            ScaleX = sx, ScaleQ = sq, ScaleK = sk, ScaleV = sv, ScaleO = so, ScaleX1 = sx1, ScaleH = sh, ScaleY = sy,
            ScaleA1 = sa1, ScaleA2 = sa2,
            RequantQ = Requantizer.FromScale(sIn * swq / sq),
            RequantK = Requantizer.FromScale(sIn * swk / sk),
            RequantV = Requantizer.FromScale(sIn * swv / sv),
            RequantO = Requantizer.FromScale(IntSoftmaxConstants.OutputScale * sv / so),
            Softmax = IntSoftmaxConstants.FromScale(sq * sk, 1.0 / Math.Sqrt(spec.HeadDim)),
            Norm1 = pre ? IntLayerNormConstants.FromScales(h, sx, null, sg1, sa1) : IntLayerNormConstants.FromScales(h, so * swo, sx, sg1, sx1),
            Add1 = pre ? IntResidualAddConstants.FromScales(so * swo, sx, sx1) : null,
            Gelu = IntGeluConstants.FromScale(sFfn * sw1, sh),
            Norm2 = pre ? IntLayerNormConstants.FromScales(h, sx1, null, sg2, sa2) : IntLayerNormConstants.FromScales(h, sh * sw2, sx1, sg2, sy),
            Add2 = pre ? IntResidualAddConstants.FromScales(sh * sw2, sx1, sy) : null,
            Dequantized = deq,
            WeightBits = weightBits,
        };
    }

    private static void Check(int actual, int expected, string what)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{what}: {actual} values where the layer needs {expected}");
        }
    }

    private static (sbyte[] Values, double Scale) Quantize(double[] v, double scale)
    {
        var q = new sbyte[v.Length];
        for (var i = 0; i < v.Length; i++)
        {
            q[i] = SymmetricQuantizer.Quantize(v[i], scale);
        }

        return (q, scale);
    }

    /// <summary>
    /// Symmetric per-tensor weights: int8 (-127..127, S = max|W|/127), or for <paramref name="bits"/> 4 int4 values (-7..7)
    /// at the clipping scale of least squared error (<see cref="SymmetricQuantizer.QuantizeClipped"/>).
    /// </summary>
    private static (sbyte[] Values, double Scale) Weights(double[] w, int bits) =>
        bits == 4 ? SymmetricQuantizer.QuantizeClipped(w, Int4Packing.Max) : SymmetricQuantizer.Quantize(w);

    private static int[] Bias(double[] b, double scale)
    {
        var q = new int[b.Length];
        for (var i = 0; i < b.Length; i++)
        {
            q[i] = (int)Math.Clamp(Math.Round(b[i] / scale, MidpointRounding.AwayFromZero), int.MinValue, int.MaxValue);
        }

        return q;
    }

    private static double[] Deq(sbyte[] q, double scale) => q.Select(v => v * scale).ToArray();

    private static double[] Deq(int[] q, double scale) => q.Select(v => v * scale).ToArray();

    private static double[] Deq(short[] q, double scale) => q.Select(v => v * scale).ToArray();
}
