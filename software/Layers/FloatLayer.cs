using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>The float layer: the reference for calibration (float weights) and for accuracy (dequantized weights).</summary>
public static class FloatLayer
{
    /// <summary>Runs the layer on <see cref="LayerWeights.Input"/>.</summary>
    public static FloatActivations Forward(LayerSpec spec, LayerWeights w)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(w);
        int s = spec.Seq, h = spec.Hidden, f = spec.Ffn, dh = spec.HeadDim, a = spec.AttentionWidth;
        var attnIn = spec.PreLayerNorm ? LayerNormRows(w.Input, s, h, w.Gamma1, w.Beta1) : w.Input;
        var q = Linear(attnIn, s, h, w.Wq, a, w.Bq);
        var k = Linear(attnIn, s, h, w.Wk, a, w.Bk);
        var v = Linear(attnIn, s, h, w.Wv, a, w.Bv);
        var p = new double[spec.Heads * spec.Segments.Sum(n => n * n)];
        var o = new double[s * a];
        var scale = 1.0 / Math.Sqrt(dh);
        var pAt = 0;
        foreach (var (n, first) in spec.Segments.Zip(spec.SegmentStarts()))
        {
            for (var head = 0; head < spec.Heads; head++)
            {
                for (var i = 0; i < n; i++)
                {
                    var scores = new double[n];
                    for (var j = 0; j < n; j++)
                    {
                        var acc = 0.0;
                        for (var t = 0; t < dh; t++)
                        {
                            acc += q[((first + i) * a) + (head * dh) + t] * k[((first + j) * a) + (head * dh) + t];
                        }

                        scores[j] = acc * scale;
                    }

                    var probs = ReferenceFunctions.Softmax(scores, spec.Causal ? i + 1 : n);
                    probs.CopyTo(p, pAt + (((head * n) + i) * n));
                    for (var t = 0; t < dh; t++)
                    {
                        var acc = 0.0;
                        for (var j = 0; j < n; j++)
                        {
                            acc += probs[j] * v[((first + j) * a) + (head * dh) + t];
                        }

                        o[((first + i) * a) + (head * dh) + t] = acc;
                    }
                }
            }

            pAt += spec.Heads * n * n;
        }

        var attn = Linear(o, s, a, w.Wo, h, w.Bo);
        var sum1 = Add(attn, w.Input);
        var x1 = spec.PreLayerNorm ? sum1 : LayerNormRows(sum1, s, h, w.Gamma1, w.Beta1);
        var ffnIn = spec.PreLayerNorm ? LayerNormRows(x1, s, h, w.Gamma2, w.Beta2) : x1;
        var hid = Linear(ffnIn, s, h, w.W1, f, w.B1);
        for (var i = 0; i < hid.Length; i++)
        {
            hid[i] = ReferenceFunctions.Gelu(hid[i]);
        }

        var sum2 = Add(Linear(hid, s, f, w.W2, h, w.B2), x1);
        var y = spec.PreLayerNorm ? sum2 : LayerNormRows(sum2, s, h, w.Gamma2, w.Beta2);
        return new FloatActivations(q, k, v, p, o, x1, hid, y) { A1 = spec.PreLayerNorm ? attnIn : null, A2 = spec.PreLayerNorm ? ffnIn : null };
    }

    /// <summary><c>x·W + b</c> for x rows×k and W k×n.</summary>
    public static double[] Linear(double[] x, int rows, int k, double[] weights, int n, double[] bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        // Row by row, t outer and j inner: each y[i, j] still sums bias + x·w in t order (the same doubles as a
        // j-outer loop), but the weights are read along their rows, which keeps wide layers fast.
        var y = new double[rows * n];
        var lanes = System.Numerics.Vector<double>.Count;
        for (var i = 0; i < rows; i++)
        {
            var acc = y.AsSpan(i * n, n);
            bias.AsSpan(0, n).CopyTo(acc);
            for (var t = 0; t < k; t++)
            {
                var a = x[(i * k) + t];
                var w = weights.AsSpan(t * n, n);
                var j = 0;
                var av = new System.Numerics.Vector<double>(a);
                for (; j + lanes <= n; j += lanes)
                {
                    (new System.Numerics.Vector<double>(acc[j..]) + (av * new System.Numerics.Vector<double>(w[j..]))).CopyTo(acc[j..]);
                }

                for (; j < n; j++)
                {
                    acc[j] += a * w[j];
                }
            }
        }

        return y;
    }

    private static double[] Add(double[] a, double[] b)
    {
        var y = new double[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            y[i] = a[i] + b[i];
        }

        return y;
    }

    private static double[] LayerNormRows(double[] x, int rows, int cols, double[] gamma, double[] beta)
    {
        var y = new double[x.Length];
        for (var r = 0; r < rows; r++)
        {
            ReferenceFunctions.LayerNorm(x.AsSpan(r * cols, cols), gamma, beta).CopyTo(y, r * cols);
        }

        return y;
    }
}
