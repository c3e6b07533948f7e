using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>
/// The float post-LN layer (as <see cref="FloatLayer"/>, one sequence) with a mask variable on each head's output and
/// each FFN filter's output, and its backward pass: from the gradient of a loss with respect to the layer output to the
/// gradients with respect to the input and to every mask variable. This is what the pruner's Fisher information of the
/// mask variables is computed from (Kwon et al., 2022; docs/pruning.md). Masks of 1 give <see cref="FloatLayer"/>'s
/// output; LayerNorm is without ε, as there.
/// </summary>
public static class MaskGradient
{
    /// <summary>What the backward pass needs of one forward pass.</summary>
    public sealed class Tape
    {
        internal Tape(LayerSpec spec, LayerWeights w, double[] heads, double[] filters)
        {
            (Spec, Weights, HeadMask, FilterMask) = (spec, w, heads, filters);
        }

        internal LayerSpec Spec { get; }

        internal LayerWeights Weights { get; }

        internal double[] HeadMask { get; }

        internal double[] FilterMask { get; }

        internal double[] Q { get; set; } = [];

        internal double[] K { get; set; } = [];

        internal double[] V { get; set; } = [];

        internal double[] P { get; set; } = [];

        internal double[] C { get; set; } = [];

        internal double[] Norm1 { get; set; } = [];

        internal double[] Sd1 { get; set; } = [];

        internal double[] Z { get; set; } = [];

        internal double[] G { get; set; } = [];

        internal double[] Norm2 { get; set; } = [];

        internal double[] Sd2 { get; set; } = [];
    }

    /// <summary>
    /// The layer on <see cref="LayerWeights.Input"/> with head outputs scaled by <paramref name="heads"/> and GELU outputs
    /// by <paramref name="filters"/> (null: ones); returns the output and the tape for <see cref="Backward"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A pre-LN, causal or packed layer, or masks of the wrong length.</exception>
    public static (double[] Y, Tape Tape) Forward(LayerSpec spec, LayerWeights w, double[]? heads = null, double[]? filters = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(w);
        if (spec.PreLayerNorm || spec.Causal || spec.Packed is not null)
        {
            throw new ArgumentException($"{spec.Name}: mask gradients are for post-LN, non-causal layers over one sequence");
        }

        heads ??= Enumerable.Repeat(1.0, spec.Heads).ToArray();
        filters ??= Enumerable.Repeat(1.0, spec.Ffn).ToArray();
        if (heads.Length != spec.Heads || filters.Length != spec.Ffn)
        {
            throw new ArgumentException($"{spec.Name}: {heads.Length} head and {filters.Length} filter masks for {spec.Heads} heads and {spec.Ffn} filters");
        }

        int s = spec.Seq, h = spec.Hidden, f = spec.Ffn, a = spec.AttentionWidth, dh = spec.HeadDim;
        var t = new Tape(spec, w, heads, filters)
        {
            Q = FloatLayer.Linear(w.Input, s, h, w.Wq, a, w.Bq),
            K = FloatLayer.Linear(w.Input, s, h, w.Wk, a, w.Bk),
            V = FloatLayer.Linear(w.Input, s, h, w.Wv, a, w.Bv),
            P = new double[spec.Heads * s * s],
            C = new double[s * a],
        };
        var scale = 1.0 / Math.Sqrt(dh);
        var scores = new double[s];
        for (var head = 0; head < spec.Heads; head++)
        {
            for (var i = 0; i < s; i++)
            {
                for (var j = 0; j < s; j++)
                {
                    scores[j] = scale * Dot(t.Q, (i * a) + (head * dh), t.K, (j * a) + (head * dh), dh);
                }

                var p = ReferenceFunctions.Softmax(scores, s);
                p.CopyTo(t.P, ((head * s) + i) * s);
                for (var j = 0; j < s; j++)
                {
                    for (var c = 0; c < dh; c++)
                    {
                        t.C[(i * a) + (head * dh) + c] += p[j] * t.V[(j * a) + (head * dh) + c];
                    }
                }
            }
        }

        var ctx = new double[s * a];
        for (var i = 0; i < ctx.Length; i++)
        {
            ctx[i] = t.C[i] * heads[(i % a) / dh];
        }

        var u1 = FloatLayer.Linear(ctx, s, a, w.Wo, h, w.Bo);
        Add(u1, w.Input);
        (t.Norm1, t.Sd1) = Normalize(u1, s, h);
        var x1 = Affine(t.Norm1, s, h, w.Gamma1, w.Beta1);
        t.Z = FloatLayer.Linear(x1, s, h, w.W1, f, w.B1);
        t.G = t.Z.Select(ReferenceFunctions.Gelu).ToArray();
        var gm = new double[t.G.Length];
        for (var i = 0; i < gm.Length; i++)
        {
            gm[i] = t.G[i] * filters[i % f];
        }

        var u2 = FloatLayer.Linear(gm, s, f, w.W2, h, w.B2);
        Add(u2, x1);
        (t.Norm2, t.Sd2) = Normalize(u2, s, h);
        return (Affine(t.Norm2, s, h, w.Gamma2, w.Beta2), t);
    }

    /// <summary>
    /// From dL/dY (<paramref name="dy"/>, Seq×Hidden) to dL/dX and dL/d(mask) of every head and filter.
    /// </summary>
    public static (double[] Dx, double[] Heads, double[] Filters) Backward(Tape t, double[] dy)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(dy);
        var (spec, w) = (t.Spec, t.Weights);
        int s = spec.Seq, h = spec.Hidden, f = spec.Ffn, a = spec.AttentionWidth, dh = spec.HeadDim;

        // LayerNorm 2, FFN2 (the filter masks), GELU, FFN1; the residual X1 passes the gradient straight through.
        var dx1 = NormBackward(dy, t.Norm2, t.Sd2, w.Gamma2, s, h);
        var dgm = MulTransposed(dx1, s, h, w.W2, f);
        var dFilters = new double[f];
        var dz = new double[s * f];
        for (var i = 0; i < dz.Length; i++)
        {
            dFilters[i % f] += dgm[i] * t.G[i];
            dz[i] = dgm[i] * t.FilterMask[i % f] * GeluDerivative(t.Z[i]);
        }

        Add(dx1, MulTransposed(dz, s, f, w.W1, h));

        // LayerNorm 1, the output projection (the head masks), attention; the residual X passes straight through.
        var du1 = NormBackward(dx1, t.Norm1, t.Sd1, w.Gamma1, s, h);
        var dctx = MulTransposed(du1, s, h, w.Wo, a);
        var dHeads = new double[spec.Heads];
        var (dq, dk, dv) = (new double[s * a], new double[s * a], new double[s * a]);
        var scale = 1.0 / Math.Sqrt(dh);
        var dp = new double[s];
        for (var head = 0; head < spec.Heads; head++)
        {
            var m = t.HeadMask[head];
            for (var i = 0; i < s; i++)
            {
                var row = ((head * s) + i) * s;
                var o = (i * a) + (head * dh);
                dHeads[head] += Dot(dctx, o, t.C, o, dh);
                var weighted = 0.0;
                for (var j = 0; j < s; j++)
                {
                    dp[j] = m * Dot(dctx, o, t.V, (j * a) + (head * dh), dh);
                    weighted += t.P[row + j] * dp[j];
                }

                for (var j = 0; j < s; j++)
                {
                    var pij = t.P[row + j];
                    var ds = scale * pij * (dp[j] - weighted);
                    var oj = (j * a) + (head * dh);
                    for (var c = 0; c < dh; c++)
                    {
                        dv[oj + c] += m * pij * dctx[o + c];
                        dq[o + c] += ds * t.K[oj + c];
                        dk[oj + c] += ds * t.Q[o + c];
                    }
                }
            }
        }

        var dx = du1;
        Add(dx, MulTransposed(dq, s, a, w.Wq, h));
        Add(dx, MulTransposed(dk, s, a, w.Wk, h));
        Add(dx, MulTransposed(dv, s, a, w.Wv, h));
        return (dx, dHeads, dFilters);
    }

    /// <summary>GELU'(z) = ½(1 + erf(z/√2)) + z·φ(z).</summary>
    public static double GeluDerivative(double z) =>
        (0.5 * (1.0 + ReferenceFunctions.Erf(z / Math.Sqrt(2.0)))) + (z * Math.Exp(-0.5 * z * z) / Math.Sqrt(2.0 * Math.PI));

    /// <summary>y = x·Bᵀ for x rows×n and B (row-major) m×n, i.e. the gradient through a projection whose weights are B (m in, n out).</summary>
    private static double[] MulTransposed(double[] x, int rows, int n, double[] b, int m)
    {
        var y = new double[rows * m];
        for (var i = 0; i < rows; i++)
        {
            for (var r = 0; r < m; r++)
            {
                y[(i * m) + r] = Dot(x, i * n, b, r * n, n);
            }
        }

        return y;
    }

    private static double Dot(double[] x, int xAt, double[] y, int yAt, int n)
    {
        var acc = 0.0;
        for (var c = 0; c < n; c++)
        {
            acc += x[xAt + c] * y[yAt + c];
        }

        return acc;
    }

    private static void Add(double[] acc, double[] x)
    {
        for (var i = 0; i < acc.Length; i++)
        {
            acc[i] += x[i];
        }
    }

    /// <summary>Each row's (x − μ)/σ and σ (population, no ε).</summary>
    private static (double[] Normalized, double[] Sd) Normalize(double[] x, int rows, int cols)
    {
        var (y, sd) = (new double[x.Length], new double[rows]);
        for (var r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * cols, cols);
            var mean = 0.0;
            foreach (var v in row)
            {
                mean += v;
            }

            mean /= cols;
            var variance = 0.0;
            foreach (var v in row)
            {
                variance += (v - mean) * (v - mean);
            }

            sd[r] = Math.Sqrt(variance / cols);
            for (var j = 0; j < cols; j++)
            {
                y[(r * cols) + j] = (row[j] - mean) / sd[r];
            }
        }

        return (y, sd);
    }

    private static double[] Affine(double[] normalized, int rows, int cols, double[] gamma, double[] beta)
    {
        var y = new double[normalized.Length];
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = (gamma[i % cols] * normalized[i]) + beta[i % cols];
        }

        return y;
    }

    /// <summary>The gradient through γ·(x − μ)/σ + β: (1/σ)(g − mean(g) − x̂·mean(g·x̂)) with g = γ·dy.</summary>
    private static double[] NormBackward(double[] dy, double[] normalized, double[] sd, double[] gamma, int rows, int cols)
    {
        var dx = new double[dy.Length];
        var g = new double[cols];
        for (var r = 0; r < rows; r++)
        {
            double mean = 0, meanX = 0;
            for (var j = 0; j < cols; j++)
            {
                g[j] = gamma[j] * dy[(r * cols) + j];
                mean += g[j];
                meanX += g[j] * normalized[(r * cols) + j];
            }

            (mean, meanX) = (mean / cols, meanX / cols);
            for (var j = 0; j < cols; j++)
            {
                dx[(r * cols) + j] = (g[j] - mean - (normalized[(r * cols) + j] * meanX)) / sd[r];
            }
        }

        return dx;
    }
}
