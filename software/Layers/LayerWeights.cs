using HwGen.Software.Workloads;

namespace HwGen.Software.Layers;

/// <summary>
/// Float weights of one layer (matrices row-major, in×out) and its input activations. Synthetic and seeded:
/// weights ~ N(0, 0.02²) with a few outlier output channels ×6, biases ~ N(0, 0.02²), γ ~ 1 + N(0, 0.1²),
/// β ~ N(0, 0.05²); the input ~ N(0, 1) with a few outlier hidden channels ×8 (as in trained BERT).
/// </summary>
public sealed record LayerWeights(
    double[] Input,
    double[] Wq, double[] Bq, double[] Wk, double[] Bk, double[] Wv, double[] Bv, double[] Wo, double[] Bo,
    double[] Gamma1, double[] Beta1, double[] W1, double[] B1, double[] W2, double[] B2, double[] Gamma2, double[] Beta2)
{
    /// <summary>Standard deviation of the weights.</summary>
    public const double Sigma = 0.02;

    /// <summary>Generates the weights and input of <paramref name="spec"/> from <paramref name="seed"/>.</summary>
    public static LayerWeights Create(LayerSpec spec, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var rng = new SeededRandom(seed);
        int h = spec.Hidden, f = spec.Ffn;
        double[] Matrix(int rows, int cols)
        {
            var m = new double[rows * cols];
            for (var i = 0; i < m.Length; i++)
            {
                m[i] = Sigma * rng.NextNormal();
            }

            // Outlier output channels: about one in 64, at least one.
            for (var o = 0; o < Math.Max(1, cols / 64); o++)
            {
                var c = rng.Next(cols);
                for (var r = 0; r < rows; r++)
                {
                    m[(r * cols) + c] *= 6.0;
                }
            }

            return m;
        }

        double[] Vector(int n, double mean, double sd)
        {
            var v = new double[n];
            for (var i = 0; i < n; i++)
            {
                v[i] = mean + (sd * rng.NextNormal());
            }

            return v;
        }

        var input = Vector(spec.Seq * h, 0, 1);
        for (var o = 0; o < Math.Max(1, h / 64); o++)
        {
            var c = rng.Next(h);
            for (var r = 0; r < spec.Seq; r++)
            {
                input[(r * h) + c] *= 8.0;
            }
        }

        return new LayerWeights(
            input,
            Matrix(h, h), Vector(h, 0, Sigma), Matrix(h, h), Vector(h, 0, Sigma), Matrix(h, h), Vector(h, 0, Sigma), Matrix(h, h), Vector(h, 0, Sigma),
            Vector(h, 1, 0.1), Vector(h, 0, 0.05), Matrix(h, f), Vector(f, 0, Sigma), Matrix(f, h), Vector(h, 0, Sigma), Vector(h, 1, 0.1), Vector(h, 0, 0.05));
    }
}
