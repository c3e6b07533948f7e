using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>Per-output-channel int4 weight scales on the per-tensor datapath (<see cref="ChannelScales"/>).</summary>
public sealed partial record QuantizedLayer
{
    /// <summary>
    /// The int4 layer of <see cref="Create(LayerSpec, ulong, LayerWeights, LayerScales, sbyte[], int, bool)"/> with Wq, Wk, Wv
    /// and W1 quantized per output channel (each column at its own clipped scale), their biases at S_in·S_w[j], Q/K/V
    /// requantized per column (one shared shift) and FFN1's GELU store taking per-column input rescales; everything else
    /// (Wo, W2 per tensor, the LayerNorms, the residual adds, Softmax) is the per-tensor int4 layer's.
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
        return t with
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
    }
}
