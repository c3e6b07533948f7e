using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>The per-column datapath's quantization of a post-LN layer (<see cref="ColumnDatapath"/>).</summary>
public sealed partial record QuantizedLayer
{
    /// <summary>The per-column datapath's constants, or null for the per-tensor datapath (int8 residual stream).</summary>
    public ColumnDatapath? Columns { get; init; }

    /// <summary>
    /// Quantizes a post-LN layer for the per-column datapath: float weights <paramref name="w"/>, activation scales
    /// <paramref name="scales"/> (Q, K, V and O are used) and per-channel <paramref name="ranges"/> from calibration, the
    /// input's smoothing factors <paramref name="smoothIn"/> and the output's <paramref name="smoothOut"/> (the next
    /// layer's input factors, or ones), and the int16 input <paramref name="x16"/> at <paramref name="scaleX16"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A pre-LN layer, or lengths that do not match <paramref name="spec"/>.</exception>
    public static QuantizedLayer CreateColumns(LayerSpec spec, LayerWeights w, LayerScales scales, ChannelRanges ranges,
        double[] smoothIn, double[] smoothOut, short[] x16, double scaleX16, ColumnOptions o)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(smoothIn);
        ArgumentNullException.ThrowIfNull(smoothOut);
        ArgumentNullException.ThrowIfNull(x16);
        ArgumentNullException.ThrowIfNull(o);
        if (spec.PreLayerNorm)
        {
            throw new ArgumentException($"{spec.Name}: the per-column datapath is for post-LN layers");
        }

        int h = spec.Hidden, f = spec.Ffn;
        Check(x16.Length, spec.Seq * h, "input");
        Check(smoothIn.Length + smoothOut.Length, 2 * h, "smoothing factors");
        Check(w.Wq.Length + w.Wk.Length + w.Wv.Length + w.Wo.Length, 4 * h * spec.AttentionWidth, "attention weights");
        Check(w.W1.Length + w.W2.Length, 2 * h * f, "FFN weights");
        var sFfn = SmoothQuant.Factors(ranges.X1, [w.W1], o.SmoothAlpha);
        var sGelu = SmoothQuant.Factors(ranges.H, [w.W2], o.GeluSmoothAlpha);

        // Q, K, V: per tensor on rows multiplied by the input's factors; their operand is the narrowed int16 input.
        var sx = 256 * scaleX16;
        var (wq, swq) = SymmetricQuantizer.Quantize(ScaleRows(w.Wq, smoothIn, h));
        var (wk, swk) = SymmetricQuantizer.Quantize(ScaleRows(w.Wk, smoothIn, h));
        var (wv, swv) = SymmetricQuantizer.Quantize(ScaleRows(w.Wv, smoothIn, h));
        double sq = scales.Q, sk = scales.K, sv = scales.V, so = scales.O;

        // The output projection per channel into LayerNorm 1, whose output is divided by FFN1's factors.
        var (wo, swo) = PerChannel(w.Wo, spec.AttentionWidth, h);
        var bo = ColumnBias(w.Bo, so, swo);
        var scaleX1 = ColumnDatapath.WideScale(ranges.X1, sFfn);
        var norm1 = NormColumns.Create(
            swo.Select(s => so * s).ToArray(),
            smoothIn.Select(s => scaleX16 * s).ToArray(),
            Divide(w.Gamma1, sFfn),
            Divide(w.Beta1, sFfn),
            256 * scaleX1);
        var sx1 = norm1.Constants.OutputScale;

        // FFN1 per channel on rows multiplied by FFN1's factors; the GELU store brings the columns to one input scale.
        var (w1, sw1) = PerChannel(ScaleRows(w.W1, sFfn, h), h, f);
        var b1 = ColumnBias(w.B1, sx1, sw1);
        var hiH = ranges.H.Select((v, j) => v / sGelu[j]).Max();
        var loH = Math.Min(0, ranges.HMin.Select((v, j) => v / sGelu[j]).Min());
        var (sh, zero) = o.GeluZeroPoint && hiH > loH
            ? ((hiH - loH) / 255, (sbyte)Math.Clamp(-128 - (int)Math.Round(loH / ((hiH - loH) / 255), MidpointRounding.AwayFromZero), -128, 127))
            : (hiH > 0 ? hiH / SymmetricQuantizer.QMax : 1.0, (sbyte)0);
        var gelu = IntGeluConstants.FromScale(sx1 * sw1.Max(), sh);
        var geluColumns = sw1.Select((s, j) =>
        {
            var outQ = FixedPoint.DyadicFromScale(gelu.ProductScale / (sh * sGelu[j]), IntGeluConstants.OutputMultiplierBits);
            var inM = (ushort)Math.Round(s / sw1.Max() * (1 << NormColumns.InputBits), MidpointRounding.AwayFromZero);
            return new IntGeluColumn(inM, NormColumns.InputBits, (int)outQ.Multiplier, outQ.Shift, zero);
        }).ToArray();

        // FFN2 per channel on rows multiplied by the GELU factors; its bias absorbs the zero point.
        var (w2, sw2) = PerChannel(ScaleRows(w.W2, sGelu, f), f, h);
        var b2 = ColumnBias(w.B2, sh, sw2);
        var w2Sums = new long[h];
        for (var i = 0; i < w2.Length; i++)
        {
            w2Sums[i % h] += w2[i];
        }

        for (var k = 0; k < h; k++)
        {
            b2[k] = (int)Math.Clamp(b2[k] - (zero * w2Sums[k]), int.MinValue, int.MaxValue);
        }

        var scaleY = ColumnDatapath.WideScale(ranges.Y, smoothOut);
        var norm2 = NormColumns.Create(
            sw2.Select(s => sh * s).ToArray(),
            sFfn.Select(s => scaleX1 * s).ToArray(),
            Divide(w.Gamma2, smoothOut),
            Divide(w.Beta2, smoothOut),
            256 * scaleY);

        var bq = Bias(w.Bq, sx * swq);
        var bk = Bias(w.Bk, sx * swk);
        var bv = Bias(w.Bv, sx * swv);
        var columns = new ColumnDatapath(x16, scaleX16, norm1, norm2, geluColumns, zero, smoothIn, sFfn, sGelu, smoothOut);
        return new QuantizedLayer
        {
            Spec = spec,
            Seed = 0,
            X = x16.Select(FixedPoint.NarrowWide).ToArray(),
            Wq = wq, Wk = wk, Wv = wv, Wo = wo, W1 = w1, W2 = w2,
            Bq = bq, Bk = bk, Bv = bv, Bo = bo, B1 = b1, B2 = b2,
            Gamma1 = norm1.Gamma, Beta1 = norm1.Beta, Gamma2 = norm2.Gamma, Beta2 = norm2.Beta,
            WeightScales = [swq, swk, swv, swo.Max(), sw1.Max(), sw2.Max()],
            ScaleX = sx, ScaleQ = sq, ScaleK = sk, ScaleV = sv, ScaleO = so, ScaleX1 = sx1, ScaleH = sh, ScaleY = norm2.Constants.OutputScale,
            RequantQ = Requantizer.FromScale(sx * swq / sq),
            RequantK = Requantizer.FromScale(sx * swk / sk),
            RequantV = Requantizer.FromScale(sx * swv / sv),
            RequantO = Requantizer.FromScale(IntSoftmaxConstants.OutputScale * sv / so),
            Softmax = IntSoftmaxConstants.FromScale(sq * sk, 1.0 / Math.Sqrt(spec.HeadDim)),
            Norm1 = norm1.Constants,
            Gelu = gelu,
            Norm2 = norm2.Constants,
            Columns = columns,
            Dequantized = new LayerWeights(
                x16.Select((v, i) => v * scaleX16 * smoothIn[i % h]).ToArray(),
                DeqRows(wq, swq, smoothIn, h), Deq(bq, sx * swq),
                DeqRows(wk, swk, smoothIn, h), Deq(bk, sx * swk),
                DeqRows(wv, swv, smoothIn, h), Deq(bv, sx * swv),
                DeqColumns(wo, swo, null), bo.Select((b, c) => b * so * swo[c]).ToArray(),
                norm1.Gamma.Select((g, j) => g * norm1.Constants.GammaScale * sFfn[j]).ToArray(),
                norm1.Beta.Select((b, j) => b * norm1.WideScale * sFfn[j]).ToArray(),
                DeqColumns(w1, sw1, sFfn), b1.Select((b, c) => b * sx1 * sw1[c]).ToArray(),
                DeqColumns(w2, sw2, sGelu), b2.Select((b, c) => (b + (zero * w2Sums[c])) * sh * sw2[c]).ToArray(),
                norm2.Gamma.Select((g, j) => g * norm2.Constants.GammaScale * smoothOut[j]).ToArray(),
                norm2.Beta.Select((b, j) => b * norm2.WideScale * smoothOut[j]).ToArray()),
        };
    }

    private static double[] ScaleRows(double[] weights, double[] factors, int rows)
    {
        var cols = weights.Length / rows;
        var y = new double[weights.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                y[(r * cols) + c] = weights[(r * cols) + c] * factors[r];
            }
        }

        return y;
    }

    private static double[] Divide(double[] v, double[] factors) => v.Select((x, j) => x / factors[j]).ToArray();

    /// <summary>Symmetric int8 with one scale per output column (max|w_c|/127; 1 for an all-zero column).</summary>
    private static (sbyte[] Values, double[] Scales) PerChannel(double[] weights, int rows, int cols)
    {
        var scales = new double[cols];
        for (var i = 0; i < weights.Length; i++)
        {
            scales[i % cols] = Math.Max(scales[i % cols], Math.Abs(weights[i]));
        }

        for (var c = 0; c < cols; c++)
        {
            scales[c] = scales[c] > 0 ? scales[c] / SymmetricQuantizer.QMax : 1.0;
        }

        var q = new sbyte[rows * cols];
        for (var i = 0; i < q.Length; i++)
        {
            q[i] = SymmetricQuantizer.Quantize(weights[i], scales[i % cols]);
        }

        return (q, scales);
    }

    private static int[] ColumnBias(double[] b, double inputScale, double[] columnScales) =>
        b.Select((v, c) => (int)Math.Clamp(Math.Round(v / (inputScale * columnScales[c]), MidpointRounding.AwayFromZero), int.MinValue, int.MaxValue)).ToArray();

    private static double[] DeqRows(sbyte[] q, double scale, double[] rowFactors, int rows)
    {
        var cols = q.Length / rows;
        return q.Select((v, i) => v * scale / rowFactors[i / cols]).ToArray();
    }

    private static double[] DeqColumns(sbyte[] q, double[] columnScales, double[]? rowFactors)
    {
        var cols = columnScales.Length;
        return q.Select((v, i) => v * columnScales[i % cols] / (rowFactors?[i / cols] ?? 1.0)).ToArray();
    }
}
