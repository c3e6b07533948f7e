using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>
/// The choices of the per-column datapath: SmoothQuant strength for the LayerNorm outputs (folded into Q/K/V and FFN1)
/// and for the GELU output (folded into FFN2), and the GELU output's zero point.
/// </summary>
/// <param name="SmoothAlpha">α for the LayerNorm outputs.</param>
/// <param name="GeluSmoothAlpha">α for the GELU output.</param>
/// <param name="GeluZeroPoint">Store the GELU output as asymmetric int8 over [min, max] instead of [−max, max].</param>
public sealed record ColumnOptions(double SmoothAlpha, double GeluSmoothAlpha, bool GeluZeroPoint)
{
    /// <summary>The quantization study's recommendation (docs/numerics.md): α 0.75, GELU α 0.7, zero point.</summary>
    public static ColumnOptions Recommended { get; } = new(0.75, 0.7, true);
}

/// <summary>
/// The per-column datapath of a post-LN layer (the study's F2, F3, F4 and F6 with SmoothQuant; docs/numerics.md):
/// <list type="bullet">
/// <item>the residual stream is int16: the layer input <see cref="X16"/> and both LayerNorm outputs are stored at 16
/// bits, and the projections read their int8 operand from them through <c>load elem16</c>
/// (<see cref="FixedPoint.NarrowWide"/>);</item>
/// <item>the stored LayerNorm outputs are divided per channel by the SmoothQuant factors of the projections that read
/// them (<see cref="SmoothIn"/> for the next layer's Q/K/V, <see cref="SmoothFfn"/> for FFN1): the factors are folded
/// into γ, β and the weights' rows, and the next LayerNorm's per-column residual multipliers undo them;</item>
/// <item>the output projection, FFN1 and FFN2 have one weight scale per output channel: the LayerNorm unit rescales its
/// int32 input per column (<see cref="NormColumns"/>) and the GELU store its input (<see cref="Gelu"/>);</item>
/// <item>the GELU output column j is stored at its own scale (divided by <see cref="SmoothGelu"/>[j], folded into
/// FFN2's rows) with a zero point <see cref="GeluZero"/> that FFN2's bias absorbs.</item>
/// </list>
/// </summary>
/// <param name="X16">The layer input, Seq×Hidden int16, divided by <see cref="SmoothIn"/> per channel.</param>
/// <param name="ScaleX16">Its real scale.</param>
/// <param name="Norm1">LayerNorm 1 (output divided by <see cref="SmoothFfn"/>).</param>
/// <param name="Norm2">LayerNorm 2 (output divided by <see cref="SmoothOut"/>).</param>
/// <param name="Gelu">The GELU store's constants per FFN column.</param>
/// <param name="GeluZero">The GELU output's zero point.</param>
/// <param name="SmoothIn">Factors of the layer input (Q/K/V rows).</param>
/// <param name="SmoothFfn">Factors of LayerNorm 1's output (FFN1 rows).</param>
/// <param name="SmoothGelu">Factors of the GELU output (FFN2 rows).</param>
/// <param name="SmoothOut">Factors of the layer output (the next layer's <see cref="SmoothIn"/>, or ones).</param>
public sealed record ColumnDatapath(
    short[] X16,
    double ScaleX16,
    NormColumns Norm1,
    NormColumns Norm2,
    IntGeluColumn[] Gelu,
    sbyte GeluZero,
    double[] SmoothIn,
    double[] SmoothFfn,
    double[] SmoothGelu,
    double[] SmoothOut)
{
    /// <summary>The largest int16 magnitude a calibrated tensor takes.</summary>
    public const int WideMax = short.MaxValue;

    /// <summary>The wide scale of a tensor with per-channel maxima <paramref name="max"/> divided by <paramref name="smoothing"/>.</summary>
    public static double WideScale(IReadOnlyList<double> max, IReadOnlyList<double> smoothing)
    {
        ArgumentNullException.ThrowIfNull(max);
        ArgumentNullException.ThrowIfNull(smoothing);
        var m = max.Select((v, j) => v / smoothing[j]).Max();
        return m > 0 ? m / WideMax : 1.0;
    }

    /// <summary>The factors of a layer input read by Q, K and V.</summary>
    public static double[] InputSmoothing(ChannelRanges ranges, LayerWeights w, ColumnOptions o)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(o);
        return SmoothQuant.Factors(ranges.X, [w.Wq, w.Wk, w.Wv], o.SmoothAlpha);
    }

    /// <summary>Rounds float values, divided per channel by <paramref name="smoothing"/>, to int16 at <paramref name="scale"/> (saturating).</summary>
    public static short[] QuantizeWide(ReadOnlySpan<double> x, IReadOnlyList<double> smoothing, double scale)
    {
        ArgumentNullException.ThrowIfNull(smoothing);
        var width = smoothing.Count;
        var q = new short[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            q[i] = (short)Math.Clamp(Math.Round(x[i] / smoothing[i % width] / scale, MidpointRounding.AwayFromZero), -WideMax, WideMax);
        }

        return q;
    }
}
