namespace HwGen.Software.Layers;

/// <summary>
/// Mask tuning by least squares (Kwon et al., 2022; docs/pruning.md): after pruning, the kept heads' and filters' mask
/// values are re-fitted so that each sub-layer's LayerNorm output, linearized around the unpruned layer's (γ·(x − mean)/σ
/// of the teacher's row), matches the unpruned layer's on a sample.
/// The attention sum is X + bo + Σ_h m_h·C_h·Wo_h, linear in the head masks m. The FFN sum is X1 + b2 + Σ_f m_f·g_f⊗W2_f,
/// linear in the filter masks. Heads are fitted first; the filters are then fitted on the LayerNorm output the tuned
/// heads give. The student reads the pruned stack's own outputs, the teacher the unpruned stack's.
/// </summary>
public static class MaskTuning
{
    /// <summary>
    /// Ridge of the normal equations relative to their mean diagonal, pulling each mask value toward 1 (the untuned
    /// value), not toward 0: a sample of a few hundred tokens does not determine a thousand filter masks, and the
    /// directions it leaves open must keep the filter as it was.
    /// </summary>
    public const double Ridge = 1e-3;

    /// <summary>
    /// Tunes one pruned layer on sentences (each Seq×Hidden, row-major): <paramref name="teacherIn"/> through the unpruned
    /// <paramref name="full"/> layer, <paramref name="studentIn"/> through the pruned <paramref name="pruned"/> one. Returns
    /// the kept heads' and filters' mask values and each sentence's output of both.
    /// </summary>
    public static (double[] Heads, double[] Filters, double[][] TeacherOut, double[][] StudentOut) Tune(
        (LayerSpec Spec, LayerWeights W) full, (LayerSpec Spec, LayerWeights W) pruned, IReadOnlyList<double[]> teacherIn, IReadOnlyList<double[]> studentIn)
    {
        ArgumentNullException.ThrowIfNull(teacherIn);
        ArgumentNullException.ThrowIfNull(studentIn);
        var (ps, pw) = pruned;
        int hid = ps.Hidden, heads = ps.Heads, dh = ps.HeadDim, a = ps.AttentionWidth, f = ps.Ffn;
        var teacherSum1 = new double[teacherIn.Count][];
        var teacherSum2 = new double[teacherIn.Count][];
        var teacherOut = new double[teacherIn.Count][];
        var parts = new double[teacherIn.Count][][];
        var gram = new double[heads * heads];
        var rhs = new double[heads];
        for (var i = 0; i < teacherIn.Count; i++)
        {
            var n = teacherIn[i].Length / hid;
            var (ty, tt) = MaskGradient.Forward(full.Spec with { Seq = n }, full.W with { Input = teacherIn[i] });
            teacherOut[i] = ty;
            teacherSum1[i] = Sum(FloatLayer.Linear(tt.C, n, full.Spec.AttentionWidth, full.W.Wo, hid, full.W.Bo), teacherIn[i]);
            var tx1 = Affine(tt.Norm1, hid, full.W.Gamma1, full.W.Beta1);
            teacherSum2[i] = Sum(FloatLayer.Linear(tt.G, n, full.Spec.Ffn, full.W.W2, hid, full.W.B2), tx1);

            // Each kept head's contribution C_h·Wo_h to the student's attention sum.
            var (_, st) = MaskGradient.Forward(ps with { Seq = n }, pw with { Input = studentIn[i] });
            parts[i] = new double[heads][];
            for (var h = 0; h < heads; h++)
            {
                parts[i][h] = new double[n * hid];
                for (var t = 0; t < n; t++)
                {
                    for (var c = 0; c < dh; c++)
                    {
                        var coefficient = st.C[(t * a) + (h * dh) + c];
                        var row = ((h * dh) + c) * hid;
                        for (var j = 0; j < hid; j++)
                        {
                            parts[i][h][(t * hid) + j] += coefficient * pw.Wo[row + j];
                        }
                    }
                }
            }

            var residual = new double[n * hid];
            for (var e = 0; e < residual.Length; e++)
            {
                residual[e] = teacherSum1[i][e] - studentIn[i][e] - pw.Bo[e % hid];
            }

            // Linearized LayerNorm 1 around the teacher's rows: what the equations weigh is γ·(x − mean)/σ_teacher.
            var sd1 = RowSd(teacherSum1[i], hid);
            var weighted = parts[i].Select(p => AsNormalized(p, hid, sd1, pw.Gamma1)).ToArray();
            residual = AsNormalized(residual, hid, sd1, pw.Gamma1);
            for (var h = 0; h < heads; h++)
            {
                rhs[h] += Dot(weighted[h], residual);
                for (var k = 0; k <= h; k++)
                {
                    gram[(h * heads) + k] += Dot(weighted[h], weighted[k]);
                }
            }
        }

        var headMasks = Solve(gram, rhs, heads);

        // The FFN, on the LayerNorm 1 output the tuned heads give: Gram(g)∘(W2·W2ᵀ) and gᵀ(R·W2ᵀ).
        // Linearized LayerNorm 2: each W2 row centred and weighted by γ2, each token by 1/σ of the teacher's row.
        var w2 = new double[f * hid];
        for (var p = 0; p < f; p++)
        {
            var mean = 0.0;
            for (var j = 0; j < hid; j++)
            {
                mean += pw.W2[(p * hid) + j] / hid;
            }

            for (var j = 0; j < hid; j++)
            {
                w2[(p * hid) + j] = pw.Gamma2[j] * (pw.W2[(p * hid) + j] - mean);
            }
        }

        var ffnGram = new double[f * f];
        var ffnRhs = new double[f];
        var x1s = new double[studentIn.Count][];
        var gs = new double[studentIn.Count][];
        for (var i = 0; i < studentIn.Count; i++)
        {
            var n = studentIn[i].Length / hid;
            var sum1 = (double[])studentIn[i].Clone();
            for (var e = 0; e < sum1.Length; e++)
            {
                sum1[e] += pw.Bo[e % hid];
                for (var h = 0; h < heads; h++)
                {
                    sum1[e] += headMasks[h] * parts[i][h][e];
                }
            }

            x1s[i] = LayerNorm(sum1, hid, pw.Gamma1, pw.Beta1);
            gs[i] = FloatLayer.Linear(x1s[i], n, hid, pw.W1, f, pw.B1).Select(Numerics.Transformer.ReferenceFunctions.Gelu).ToArray();
            var r = new double[n * hid];
            for (var e = 0; e < r.Length; e++)
            {
                r[e] = teacherSum2[i][e] - x1s[i][e] - pw.B2[e % hid];
            }

            var sd2 = RowSd(teacherSum2[i], hid);
            r = AsNormalized(r, hid, sd2, pw.Gamma2);
            for (var t = 0; t < n; t++)
            {
                for (var p = 0; p < f; p++)
                {
                    var gp = gs[i][(t * f) + p] / sd2[t];
                    ffnRhs[p] += gp * Dot(r, t * hid, w2, p * hid, hid);
                    for (var q = 0; q <= p; q++)
                    {
                        ffnGram[(p * f) + q] += gp * gs[i][(t * f) + q] / sd2[t];
                    }
                }
            }
        }

        for (var p = 0; p < f; p++)
        {
            for (var q = 0; q <= p; q++)
            {
                ffnGram[(p * f) + q] *= Dot(w2, p * hid, w2, q * hid, hid);
            }
        }

        var filterMasks = Solve(ffnGram, ffnRhs, f);
        var studentOut = new double[studentIn.Count][];
        for (var i = 0; i < studentIn.Count; i++)
        {
            var n = studentIn[i].Length / hid;
            var g = gs[i].Select((v, e) => v * filterMasks[e % f]).ToArray();
            studentOut[i] = LayerNorm(Sum(FloatLayer.Linear(g, n, f, pw.W2, hid, pw.B2), x1s[i]), hid, pw.Gamma2, pw.Beta2);
        }

        return (headMasks, filterMasks, teacherOut, studentOut);
    }

    /// <summary>Solves (G + λI)·m = r + λ·1 for the symmetric G given in its lower triangle, λ = <see cref="Ridge"/> × mean diagonal (Cholesky).</summary>
    public static double[] Solve(double[] lower, double[] rhs, int n)
    {
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(rhs);
        var l = (double[])lower.Clone();
        var lambda = (Ridge * Enumerable.Range(0, n).Average(i => l[(i * n) + i])) + 1e-300;
        rhs = rhs.Select(v => v + lambda).ToArray();
        for (var i = 0; i < n; i++)
        {
            l[(i * n) + i] += lambda;
        }

        for (var j = 0; j < n; j++)
        {
            var d = l[(j * n) + j] - Dot(l, j * n, l, j * n, j);
            l[(j * n) + j] = Math.Sqrt(Math.Max(d, 1e-300));
            for (var i = j + 1; i < n; i++)
            {
                l[(i * n) + j] = (l[(i * n) + j] - Dot(l, i * n, l, j * n, j)) / l[(j * n) + j];
            }
        }

        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            y[i] = (rhs[i] - Dot(l, i * n, y, 0, i)) / l[(i * n) + i];
        }

        var x = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var acc = y[i];
            for (var k = i + 1; k < n; k++)
            {
                acc -= l[(k * n) + i] * x[k];
            }

            x[i] = acc / l[(i * n) + i];
        }

        return x;
    }

    private static double Dot(double[] x, double[] y) => Dot(x, 0, y, 0, x.Length);

    private static double Dot(double[] x, int xAt, double[] y, int yAt, int n)
    {
        var acc = 0.0;
        for (var c = 0; c < n; c++)
        {
            acc += x[xAt + c] * y[yAt + c];
        }

        return acc;
    }

    /// <summary>Population standard deviation of each row.</summary>
    private static double[] RowSd(double[] x, int cols)
    {
        var sd = new double[x.Length / cols];
        for (var r = 0; r < sd.Length; r++)
        {
            var row = x.AsSpan(r * cols, cols);
            var mean = 0.0;
            foreach (var v in row)
            {
                mean += v / cols;
            }

            var variance = 0.0;
            foreach (var v in row)
            {
                variance += (v - mean) * (v - mean) / cols;
            }

            sd[r] = Math.Sqrt(variance) + 1e-12;
        }

        return sd;
    }

    /// <summary>γ_j·(x − row mean)/σ_row: a change of a LayerNorm's input as its output sees it (to first order).</summary>
    private static double[] AsNormalized(double[] x, int cols, double[] sd, double[] gamma)
    {
        var y = new double[x.Length];
        for (var r = 0; r < sd.Length; r++)
        {
            var mean = 0.0;
            for (var j = 0; j < cols; j++)
            {
                mean += x[(r * cols) + j] / cols;
            }

            for (var j = 0; j < cols; j++)
            {
                y[(r * cols) + j] = gamma[j] * (x[(r * cols) + j] - mean) / sd[r];
            }
        }

        return y;
    }

    private static double[] Sum(double[] x, double[] y) => x.Zip(y, (p, q) => p + q).ToArray();

    private static double[] Affine(double[] normalized, int cols, double[] gamma, double[] beta) =>
        normalized.Select((v, e) => (gamma[e % cols] * v) + beta[e % cols]).ToArray();

    private static double[] LayerNorm(double[] x, int cols, double[] gamma, double[] beta)
    {
        var y = new double[x.Length];
        for (var r = 0; r < x.Length / cols; r++)
        {
            Numerics.Transformer.ReferenceFunctions.LayerNorm(x.AsSpan(r * cols, cols), gamma, beta).CopyTo(y, r * cols);
        }

        return y;
    }
}
