namespace HwGen.Software.Layers;

/// <summary>
/// Query/key channel balancing, a calibration step before quantization (issue 13; docs/numerics.md, "Query/key
/// balancing"). Each score is Σ_c Q[i,c]·K[j,c] over a head's channels, so scaling query channel c by s_c and key channel
/// c by 1/s_c (the columns of Wq and bq, and of Wk and bk) leaves every score, probability and output of the float layer
/// unchanged. Q and K are then quantized with one scale per tensor each, which their few outlier channels set for all
/// the others; with s_c = √(max|K_c| ÷ max|Q_c|) channel c peaks at √(max|Q_c|·max|K_c|) in both, so an outlier of
/// either tensor is shared between the two instead of setting one tensor's step alone, and the logits are finer.
/// </summary>
public static class QkBalance
{
    /// <summary>Largest factor either way (a channel that is near zero in one tensor stays as it is).</summary>
    public const double MaxFactor = 64;

    /// <summary>The factor s_c of every attention channel, from the float layer's Q and K.</summary>
    public static double[] Factors(LayerSpec spec, FloatActivations f)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(f);
        var a = spec.AttentionWidth;
        var (mq, mk) = (new double[a], new double[a]);
        for (var i = 0; i < f.Q.Length; i++)
        {
            mq[i % a] = Math.Max(mq[i % a], Math.Abs(f.Q[i]));
            mk[i % a] = Math.Max(mk[i % a], Math.Abs(f.K[i]));
        }

        var s = new double[a];
        for (var c = 0; c < a; c++)
        {
            s[c] = mq[c] > 0 && mk[c] > 0 ? Math.Clamp(Math.Sqrt(mk[c] / mq[c]), 1 / MaxFactor, MaxFactor) : 1;
        }

        return s;
    }

    /// <summary>
    /// Runs the float layer on <paramref name="w"/> and balances it: the balanced weights, the float activations in the
    /// balanced channels (what calibration measures), and the float activations as run (Y is the same either way).
    /// </summary>
    public static (LayerWeights Weights, FloatActivations Balanced, FloatActivations Float) Calibrate(LayerSpec spec, LayerWeights w)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(w);
        var f = FloatLayer.Forward(spec, w);
        var s = Factors(spec, f);
        return (Apply(w, s), Apply(f, s), f);
    }

    /// <summary>The weights with Wq, bq scaled by s and Wk, bk divided by s, column by column.</summary>
    public static LayerWeights Apply(LayerWeights w, double[] s)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(s);
        return w with { Wq = Columns(w.Wq, s, false), Bq = Columns(w.Bq, s, false), Wk = Columns(w.Wk, s, true), Bk = Columns(w.Bk, s, true) };
    }

    /// <summary>The float activations with Q and K in the balanced channels (the rest is unchanged).</summary>
    public static FloatActivations Apply(FloatActivations f, double[] s)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(s);
        return f with { Q = Columns(f.Q, s, false), K = Columns(f.K, s, true) };
    }

    private static double[] Columns(double[] m, double[] s, bool divide)
    {
        var r = new double[m.Length];
        for (var i = 0; i < m.Length; i++)
        {
            r[i] = divide ? m[i] / s[i % s.Length] : m[i] * s[i % s.Length];
        }

        return r;
    }
}
