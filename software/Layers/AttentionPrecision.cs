using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>
/// How close a layer's attention probabilities and head outputs come to the float layer's under each Softmax kernel
/// (issue 13; docs/numerics.md, "Softmax for long sequences"): today's int8 P at 2^-7 (<see cref="IntSoftmax"/>), the
/// late-normalized u at 0..127 (<see cref="IntLateSoftmax"/>, divided by Σu per row), and, as the ceiling the Softmax
/// cannot pass, the exact float softmax of the same int32 QKᵀ. All from the same int8 Q, K and V of the integer layer;
/// the O cosine is taken before O's requantization (u/Σu·V in real numbers), so it shows the probabilities' error alone.
/// </summary>
public static class AttentionPrecision
{
    /// <summary>One kernel's cosines against the float layer's P and O, over the heads measured.</summary>
    public sealed record Row(string Kernel, double PCosine, double OCosine);

    /// <summary>Measures the first <paramref name="heads"/> heads of a single-sequence layer.</summary>
    /// <exception cref="ArgumentException">A packed layer, or heads out of range.</exception>
    public static IReadOnlyList<Row> Measure(QuantizedLayer q, FloatActivations f, IntActivations ia, int heads)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(ia);
        var spec = q.Spec;
        if (spec.Packed is not null || heads < 1 || heads > spec.Heads)
        {
            throw new ArgumentException($"measure 1..{spec.Heads} heads of a single-sequence layer, got {heads}{(spec.Packed is null ? "" : " of a packed one")}", nameof(heads));
        }

        int s = spec.Seq, a = spec.AttentionWidth, dh = spec.HeadDim;
        var logitScale = q.ScaleQ * q.ScaleK / Math.Sqrt(dh);
        string[] kernels = ["int8 P at 2^-7 (IntSoftmax)", "late: u 0..127, /Σu (IntLateSoftmax)", "float softmax of the int32 QKᵀ (ceiling)"];
        var (pDot, pOwn, pRef) = (new double[3], new double[3], new double[3]);
        var (oDot, oOwn, oRef) = (new double[3], new double[3], new double[3]);
        var scores = new int[s];
        var p8 = new sbyte[s];
        var probs = new double[3][];
        for (var k = 0; k < 3; k++)
        {
            probs[k] = new double[s];
        }

        for (var head = 0; head < heads; head++)
        {
            for (var i = 0; i < s; i++)
            {
                IntLayerReference.Scores(ia.Q, ia.K, a, dh, head, 0, i, scores);
                var valid = spec.Causal ? IntSoftmax.CausalValid(s, i, 0) : s;
                IntSoftmax.Apply(scores, p8, q.Softmax, valid);
                for (var j = 0; j < s; j++)
                {
                    probs[0][j] = p8[j] / 128.0;
                }

                var sum = IntLateSoftmax.Apply(scores, p8, q.Softmax, valid);
                for (var j = 0; j < s; j++)
                {
                    probs[1][j] = sum == 0 ? 0 : (double)p8[j] / sum;
                }

                probs[2] = ReferenceFunctions.Softmax(scores.Select(x => x * logitScale).ToArray(), valid);

                var fp = f.P.AsSpan(((head * s) + i) * s, s);
                for (var k = 0; k < 3; k++)
                {
                    for (var j = 0; j < s; j++)
                    {
                        pDot[k] += probs[k][j] * fp[j];
                        pOwn[k] += probs[k][j] * probs[k][j];
                        pRef[k] += fp[j] * fp[j];
                    }

                    for (var t = 0; t < dh; t++)
                    {
                        double o = 0;
                        for (var j = 0; j < valid; j++)
                        {
                            o += probs[k][j] * ia.V[(j * a) + (head * dh) + t];
                        }

                        o *= q.ScaleV;
                        var fo = f.O[(i * a) + (head * dh) + t];
                        oDot[k] += o * fo;
                        oOwn[k] += o * o;
                        oRef[k] += fo * fo;
                    }
                }
            }
        }

        static double Cosine(double dot, double a, double b) => a == 0 || b == 0 ? 0 : dot / Math.Sqrt(a * b);
        return Enumerable.Range(0, 3).Select(k => new Row(kernels[k], Cosine(pDot[k], pOwn[k], pRef[k]), Cosine(oDot[k], oOwn[k], oRef[k]))).ToList();
    }
}
