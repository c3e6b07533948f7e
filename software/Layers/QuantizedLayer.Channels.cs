using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>Per-output-channel int4 weight scales on the per-tensor datapath (<see cref="ChannelScales"/>).</summary>
public sealed partial record QuantizedLayer
{
    /// <summary>
    /// The int4 layer of <see cref="Create(LayerSpec, ulong, LayerWeights, LayerScales, sbyte[], int, bool)"/> with Wq, Wk, Wv
    /// and W1 quantized per output channel (each column at its own clipped scale), their biases at S_in·S_w[j], Q/K/V
    /// requantized per column (one shared shift) and FFN1's GELU store taking per-column input rescales; also Wo and W2 per
    /// column, post-LN with their LayerNorms in column mode (<see cref="CreateNormChannels"/>), pre-LN with their residual
    /// adds in column mode (<see cref="CreateAddChannels"/>). Everything else (Softmax, the pre-LN LayerNorms) is the
    /// per-tensor int4 layer's.
    /// </summary>
    private static QuantizedLayer CreateChannels(LayerSpec spec, ulong seed, LayerWeights w, LayerScales scales, sbyte[] x)
    {
        var t = Create(spec, seed, w, scales, x, 4);
        int h = spec.Hidden, f = spec.Ffn;
        double sIn = t.AttentionInputScale, sFfn = t.FfnInputScale;
        var (wq, swq) = SymmetricQuantizer.QuantizeClippedColumns(w.Wq, h, Int4Packing.Max);
        var (wk, swk) = SymmetricQuantizer.QuantizeClippedColumns(w.Wk, h, Int4Packing.Max);
        var (wv, swv) = SymmetricQuantizer.QuantizeClippedColumns(w.Wv, h, Int4Packing.Max);
        var (w1, sw1) = SymmetricQuantizer.QuantizeClippedColumns(w.W1, h, Int4Packing.Max);
        var (bq, bk, bv, b1) = (ColumnBias(w.Bq, sIn, swq), ColumnBias(w.Bk, sIn, swk), ColumnBias(w.Bv, sIn, swv), ColumnBias(w.B1, sFfn, sw1));
        var gelu = IntGeluConstants.FromScale(sFfn * sw1.Max(), t.ScaleH);
        Requantization[] Columns(double[] sw, double outScale) => Requantizer.FromScales(sw.Select(s => sIn * s / outScale).ToArray());
        var channels = new ChannelScales(Columns(swq, t.ScaleQ), Columns(swk, t.ScaleK), Columns(swv, t.ScaleV), ChannelScales.GeluColumns(sw1, gelu));
        double[] DeqBias(int[] b, double s, double[] sw) => b.Select((v, c) => v * s * sw[c]).ToArray();
        var weightScales = (double[])t.WeightScales.Clone();
        (weightScales[0], weightScales[1], weightScales[2], weightScales[4]) = (swq.Max(), swk.Max(), swv.Max(), sw1.Max());
        var layer = t with
        {
            Wq = wq, Wk = wk, Wv = wv, W1 = w1,
            Bq = bq, Bk = bk, Bv = bv, B1 = b1,
            WeightScales = weightScales,
            RequantQ = Requantizer.FromScale(sIn * swq.Max() / t.ScaleQ),
            RequantK = Requantizer.FromScale(sIn * swk.Max() / t.ScaleK),
            RequantV = Requantizer.FromScale(sIn * swv.Max() / t.ScaleV),
            Gelu = gelu,
            Channels = channels,
            Dequantized = t.Dequantized with
            {
                Wq = DeqColumns(wq, swq, null), Bq = DeqBias(bq, sIn, swq),
                Wk = DeqColumns(wk, swk, null), Bk = DeqBias(bk, sIn, swk),
                Wv = DeqColumns(wv, swv, null), Bv = DeqBias(bv, sIn, swv),
                W1 = DeqColumns(w1, sw1, null), B1 = DeqBias(b1, sFfn, sw1),
            },
        };
        return spec.PreLayerNorm ? CreateAddChannels(layer, w) : CreateNormChannels(layer, w);
    }

    /// <summary>
    /// Wo and W2 per output channel (clipped) with their biases at S_O·S_o[j] and S_H·S_2[j], as both epilogues take them:
    /// the layer with them (weights, biases, weight scales, dequantized copies) and their column scales.
    /// </summary>
    private static (QuantizedLayer Layer, double[] So, double[] S2) ResidualChannels(QuantizedLayer t, LayerWeights w)
    {
        double so = t.ScaleO, sh = t.ScaleH;
        var (wo, swo) = SymmetricQuantizer.QuantizeClippedColumns(w.Wo, t.Spec.AttentionWidth, Int4Packing.Max);
        var (w2, sw2) = SymmetricQuantizer.QuantizeClippedColumns(w.W2, t.Spec.Ffn, Int4Packing.Max);
        var (bo, b2) = (ColumnBias(w.Bo, so, swo), ColumnBias(w.B2, sh, sw2));
        var weightScales = (double[])t.WeightScales.Clone();
        (weightScales[3], weightScales[5]) = (swo.Max(), sw2.Max());
        var layer = t with
        {
            Wo = wo, W2 = w2, Bo = bo, B2 = b2,
            WeightScales = weightScales,
            Dequantized = t.Dequantized with
            {
                Wo = DeqColumns(wo, swo, null), Bo = bo.Select((v, c) => v * so * swo[c]).ToArray(),
                W2 = DeqColumns(w2, sw2, null), B2 = b2.Select((v, c) => v * sh * sw2[c]).ToArray(),
            },
        };
        return (layer, swo, sw2);
    }

    /// <summary>
    /// Pre-LN: Wo and W2 per output channel (<see cref="ResidualChannels"/>) and both residual adds in the column mode
    /// (<see cref="AddColumns"/>: column j's input brought to the largest column scale, the int8 residual X or X1 aligned
    /// by one multiplier, the int8 output at the per-tensor layer's scale).
    /// </summary>
    private static QuantizedLayer CreateAddChannels(QuantizedLayer t, LayerWeights w)
    {
        var (r, swo, sw2) = ResidualChannels(t, w);
        var add1 = AddColumns.Create(swo.Select(s => t.ScaleO * s).ToArray(), t.ScaleX, t.ScaleX1);
        var add2 = AddColumns.Create(sw2.Select(s => t.ScaleH * s).ToArray(), t.ScaleX1, t.ScaleY);
        return r with
        {
            Add1 = add1.Constants, Add2 = add2.Constants,
            Channels = r.Channels! with { Add1 = add1, Add2 = add2 },
        };
    }

    /// <summary>
    /// Post-LN: Wo and W2 per output channel (<see cref="ResidualChannels"/>) and LayerNorm 1 and 2 in the unit's column mode
    /// (<see cref="NormColumns"/>: column j's input brought to the largest column scale, the int8 residual X or X1 aligned
    /// per column, the int8 output at the per-tensor layer's scale).
    /// </summary>
    private static QuantizedLayer CreateNormChannels(QuantizedLayer t, LayerWeights w)
    {
        var (r, swo, sw2) = ResidualChannels(t, w);
        int h = t.Spec.Hidden;
        double sx1 = t.ScaleX1, sy = t.ScaleY;
        var norm1 = NormColumns.Create(swo.Select(s => t.ScaleO * s).ToArray(), Enumerable.Repeat(t.ScaleX, h).ToArray(), w.Gamma1, w.Beta1, sx1);
        var norm2 = NormColumns.Create(sw2.Select(s => t.ScaleH * s).ToArray(), Enumerable.Repeat(sx1, h).ToArray(), w.Gamma2, w.Beta2, sy);
        return r with
        {
            Gamma1 = norm1.Gamma, Beta1 = norm1.Beta, Gamma2 = norm2.Gamma, Beta2 = norm2.Beta,
            Norm1 = norm1.Constants, Norm2 = norm2.Constants,
            Channels = r.Channels! with { Norm1 = norm1, Norm2 = norm2 },
            Dequantized = r.Dequantized with
            {
                Gamma1 = norm1.Gamma.Select(g => g * norm1.Constants.GammaScale).ToArray(), Beta1 = norm1.Beta.Select(b => b * sx1 / 256).ToArray(),
                Gamma2 = norm2.Gamma.Select(g => g * norm2.Constants.GammaScale).ToArray(), Beta2 = norm2.Beta.Select(b => b * sy / 256).ToArray(),
            },
        };
    }
}
