namespace HwGen.Software.Layers;

/// <summary>
/// Per-channel ranges of a post-LN layer's tensors over calibration inputs: what SmoothQuant's factors and the scales of
/// smoothed tensors are computed from (<see cref="ColumnDatapath"/>). Maxima are of |x|; <see cref="HMin"/> is the
/// smallest GELU output per channel (at most 0), for its zero point.
/// </summary>
/// <param name="X">The layer input, per hidden channel.</param>
/// <param name="X1">LayerNorm 1's output.</param>
/// <param name="H">GELU's output, per FFN channel.</param>
/// <param name="HMin">GELU's smallest output, per FFN channel.</param>
/// <param name="Y">The layer output.</param>
public sealed record ChannelRanges(double[] X, double[] X1, double[] H, double[] HMin, double[] Y)
{
    /// <summary>The ranges of one float run of the layer on <paramref name="input"/>.</summary>
    public static ChannelRanges Of(LayerSpec spec, double[] input, FloatActivations f)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(f);
        var hMin = new double[spec.Ffn];
        for (var i = 0; i < f.H.Length; i++)
        {
            hMin[i % spec.Ffn] = Math.Min(hMin[i % spec.Ffn], f.H[i]);
        }

        return new ChannelRanges(MaxAbs(input, spec.Hidden), MaxAbs(f.X1, spec.Hidden), MaxAbs(f.H, spec.Ffn), hMin, MaxAbs(f.Y, spec.Hidden));
    }

    /// <summary>The wider range of each channel (calibration over several inputs).</summary>
    public ChannelRanges Merge(ChannelRanges other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new ChannelRanges(Max(X, other.X), Max(X1, other.X1), Max(H, other.H), HMin.Zip(other.HMin, Math.Min).ToArray(), Max(Y, other.Y));
    }

    private static double[] Max(double[] a, double[] b) => a.Zip(b, Math.Max).ToArray();

    private static double[] MaxAbs(double[] x, int width)
    {
        var m = new double[width];
        for (var i = 0; i < x.Length; i++)
        {
            m[i % width] = Math.Max(m[i % width], Math.Abs(x[i]));
        }

        return m;
    }
}
