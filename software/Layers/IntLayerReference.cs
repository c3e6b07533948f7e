using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>
/// The untiled integer layer built from the kernels (<see cref="Requantizer"/>, <see cref="IntSoftmax"/>,
/// <see cref="IntGelu"/>, <see cref="IntLayerNorm"/>): what the compiled program must produce bit for bit.
/// Accumulation is int32 with wrap-around (<see cref="IntegerMac"/>); residuals enter LayerNorm as the int8 values.
/// </summary>
public static class IntLayerReference
{
    /// <summary>Runs the layer.</summary>
    public static IntActivations Run(QuantizedLayer q)
    {
        ArgumentNullException.ThrowIfNull(q);
        var spec = q.Spec;
        int s = spec.Seq, h = spec.Hidden, f = spec.Ffn, a = spec.AttentionWidth;
        var pre = spec.PreLayerNorm;
        var a1 = pre ? Norm(Widen(q.X), null, s, h, q.Gamma1, q.Beta1, q.Norm1) : null;
        var attnIn = q.Columns is { } c ? Narrow(c.X16) : a1 ?? q.X;
        var ch = q.Channels;
        var qa = Requant(MatMul(attnIn, s, h, q.Wq, a, q.Bq), q.RequantQ, ch?.Q);
        var ka = Requant(MatMul(attnIn, s, h, q.Wk, a, q.Bk), q.RequantK, ch?.K);
        var va = Requant(MatMul(attnIn, s, h, q.Wv, a, q.Bv), q.RequantV, ch?.V);
        var (p, o) = Attention(q, qa, ka, va);
        if (q.Columns is { } columns)
        {
            var x1Wide = columns.Norm1.Apply(MatMul(o, s, a, q.Wo, h, q.Bo), columns.X16, s);
            var acc1 = MatMul(Narrow(x1Wide), s, h, q.W1, f, q.B1);
            var gelu = new sbyte[acc1.Length];
            for (var i = 0; i < acc1.Length; i++)
            {
                gelu[i] = columns.Gelu[i % f].Apply(acc1[i], q.Gelu);
            }

            var yWide = columns.Norm2.Apply(MatMul(gelu, s, f, q.W2, h, q.B2), x1Wide, s);
            return new IntActivations(qa, ka, va, p, o, Narrow(x1Wide), gelu, Narrow(yWide)) { Spec = spec, X1Wide = x1Wide, YWide = yWide };
        }

        var x1 = pre
            ? ch?.Add1 is { } c1 ? c1.Apply(MatMul(o, s, a, q.Wo, h, q.Bo), q.X) : ResidualAdd(MatMul(o, s, a, q.Wo, h, q.Bo), q.X, q.Add1!)
            : ch?.Norm1 is { } n1 ? n1.ApplyNarrow(MatMul(o, s, a, q.Wo, h, q.Bo), q.X, s)
            : Norm(MatMul(o, s, a, q.Wo, h, q.Bo), q.X, s, h, q.Gamma1, q.Beta1, q.Norm1);
        var a2 = pre ? Norm(Widen(x1), null, s, h, q.Gamma2, q.Beta2, q.Norm2) : null;
        var ffn1 = MatMul(a2 ?? x1, s, h, q.W1, f, q.B1);
        var hid = new sbyte[ffn1.Length];
        if (ch is null)
        {
            IntGelu.Apply(ffn1, hid, q.Gelu);
        }
        else
        {
            for (var i = 0; i < ffn1.Length; i++)
            {
                hid[i] = ch.Gelu[i % f].Apply(ffn1[i], q.Gelu);
            }
        }
        var y = pre
            ? ch?.Add2 is { } c2 ? c2.Apply(MatMul(hid, s, f, q.W2, h, q.B2), x1) : ResidualAdd(MatMul(hid, s, f, q.W2, h, q.B2), x1, q.Add2!)
            : ch?.Norm2 is { } n2 ? n2.ApplyNarrow(MatMul(hid, s, f, q.W2, h, q.B2), x1, s)
            : Norm(MatMul(hid, s, f, q.W2, h, q.B2), x1, s, h, q.Gamma2, q.Beta2, q.Norm2);
        return new IntActivations(qa, ka, va, p, o, x1, hid, y) { A1 = a1, A2 = a2, Spec = spec };
    }

    /// <summary>Attention per packed sequence and head: int32 QKᵀ, the Softmax kernel, P·V requantized.</summary>
    private static (sbyte[] P, sbyte[] O) Attention(QuantizedLayer q, sbyte[] qa, sbyte[] ka, sbyte[] va)
    {
        var spec = q.Spec;
        int s = spec.Seq, a = spec.AttentionWidth, dh = spec.HeadDim;
        var p = new sbyte[spec.Heads * spec.Segments.Sum(n => n * n)];
        var o = new sbyte[s * a];
        var pAt = 0;
        foreach (var (n, first) in spec.Segments.Zip(spec.SegmentStarts()))
        {
            for (var head = 0; head < spec.Heads; head++)
            {
                var scores = new int[n];
                for (var i = 0; i < n; i++)
                {
                    Scores(qa, ka, a, dh, head, first, first + i, scores);
                    var row = p.AsSpan(pAt + (((head * n) + i) * n), n);
                    var valid = spec.Causal ? IntSoftmax.CausalValid(n, i, 0) : n;
                    var requantO = q.RequantO;
                    if (spec.LateSoftmax)
                    {
                        requantO = IntLateSoftmax.RowRequantization(IntLateSoftmax.PvRequantization(q.RequantO), IntLateSoftmax.Apply(scores, row, q.Softmax, valid));
                    }
                    else
                    {
                        IntSoftmax.Apply(scores, row, q.Softmax, valid);
                    }

                    for (var t = 0; t < dh; t++)
                    {
                        var acc = 0;
                        for (var j = 0; j < n; j++)
                        {
                            acc = IntegerMac.Mac(acc, row[j], va[((first + j) * a) + (head * dh) + t]);
                        }

                        o[((first + i) * a) + (head * dh) + t] = requantO.Apply(acc);
                    }
                }
            }

            pAt += spec.Heads * n * n;
        }

        return (p, o);
    }

    /// <summary>
    /// One query's int32 QKᵀ row of one head: <paramref name="scores"/>[j] = Σ_t Q[query, head·dh + t]·K[first + j,
    /// head·dh + t] for the keys of the sequence starting at row <paramref name="first"/> (Q and K row-major,
    /// <paramref name="width"/> columns).
    /// </summary>
    public static void Scores(sbyte[] qa, sbyte[] ka, int width, int dh, int head, int first, int query, Span<int> scores)
    {
        ArgumentNullException.ThrowIfNull(qa);
        ArgumentNullException.ThrowIfNull(ka);
        for (var j = 0; j < scores.Length; j++)
        {
            var acc = 0;
            for (var t = 0; t < dh; t++)
            {
                acc = IntegerMac.Mac(acc, qa[(query * width) + (head * dh) + t], ka[((first + j) * width) + (head * dh) + t]);
            }

            scores[j] = acc;
        }
    }

    /// <summary><c>x·W + b</c> in int32 (x rows×k, W k×n).</summary>
    public static int[] MatMul(sbyte[] x, int rows, int k, sbyte[] weights, int n, int[] bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        // Row by row with t outer: wrapping int32 sums do not depend on their order, and the weights are read along rows.
        var y = new int[rows * n];
        for (var i = 0; i < rows; i++)
        {
            var acc = y.AsSpan(i * n, n);
            bias.AsSpan(0, n).CopyTo(acc);
            for (var t = 0; t < k; t++)
            {
                int a = x[(i * k) + t];
                if (a == 0)
                {
                    continue;
                }

                var w = weights.AsSpan(t * n, n);
                for (var j = 0; j < n; j++)
                {
                    acc[j] = unchecked(acc[j] + (a * w[j]));
                }
            }
        }

        return y;
    }

    /// <summary>Requantizes row-major accumulators with <paramref name="r"/>, or column j with <paramref name="columns"/>[j] (store col_mult).</summary>
    private static sbyte[] Requant(int[] acc, Requantization r, Requantization[]? columns) =>
        columns is null ? acc.Select(r.Apply).ToArray() : acc.Select((v, i) => columns[i % columns.Length].Apply(v)).ToArray();

    private static sbyte[] Narrow(short[] x) => x.Select(FixedPoint.NarrowWide).ToArray();

    private static int[] Widen(sbyte[] x) => x.Select(v => (int)v).ToArray();

    private static sbyte[] ResidualAdd(int[] x, sbyte[] residual, IntResidualAddConstants c)
    {
        var y = new sbyte[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = IntResidualAdd.Apply(x[i], residual[i], c);
        }

        return y;
    }

    private static sbyte[] Norm(int[] x, sbyte[]? residual, int rows, int cols, short[] gamma, int[] beta, IntLayerNormConstants c)
    {
        var y = new sbyte[x.Length];
        var res = new int[cols];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < cols; j++)
            {
                res[j] = residual is null ? 0 : residual[(r * cols) + j];
            }

            IntLayerNorm.Apply(x.AsSpan(r * cols, cols), residual is null ? default : res, gamma, beta, y.AsSpan(r * cols, cols), c);
        }

        return y;
    }
}
