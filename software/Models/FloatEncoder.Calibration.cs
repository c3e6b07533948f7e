using HwGen.Software.Layers;

namespace HwGen.Models;

/// <summary>Calibration of the activation scales and SmoothQuant migration (the part of <see cref="FloatEncoder"/> run once, before the weights are rounded).</summary>
public sealed partial class FloatEncoder
{
    private readonly Dictionary<string, List<float>> samples = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float[]> channelMax = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs the calibration sentences in float (with the smoothing factors folded in so far) and records each storage
    /// point's maximum |x| (or percentile), and the per-channel maxima of the tensors that smoothing can divide.
    /// </summary>
    private void Calibrate(IReadOnlyList<int[]> sentences)
    {
        maxAbs.Clear();
        minValue.Clear();
        samples.Clear();
        calibrating = true;
        foreach (var s in sentences)
        {
            Forward(s);
        }

        calibrating = false;
        if (scheme.ClipPercentile is { } p)
        {
            // Activation points only: the residual stream and sub-layer outputs keep their maximum (they are 16 bits or more).
            foreach (var (point, values) in samples.Where(kv => !kv.Key.Contains(".res", StringComparison.Ordinal) && !kv.Key.EndsWith(".out", StringComparison.Ordinal)))
            {
                values.Sort();
                maxAbs[point] = values[(int)Math.Min(values.Count - 1, Math.Ceiling(p / 100.0 * (values.Count - 1)))];
            }

            samples.Clear();
        }
    }

    /// <summary>While calibrating, records the per-channel maximum |x| of a [tokens, width] tensor at <paramref name="point"/>.</summary>
    private void RecordChannels(string point, float[] x, int width)
    {
        if (!calibrating)
        {
            return;
        }

        if (!channelMax.TryGetValue(point, out var m))
        {
            channelMax[point] = m = new float[width];
        }

        for (var i = 0; i < x.Length; i++)
        {
            m[i % width] = MathF.Max(m[i % width], MathF.Abs(x[i]));
        }
    }

    /// <summary>
    /// SmoothQuant: s_j = max|X_j|^α / max|W_j|^(1−α) over the projections reading X; X/s and s·W keep X·W unchanged.
    /// The LayerNorm outputs (attention and FFN inputs) take <see cref="QuantScheme.SmoothAlpha"/>, the GELU output
    /// <see cref="QuantScheme.GeluSmoothAlpha"/>. The caller calibrates again afterwards: the divided tensors' ranges change.
    /// </summary>
    private void Smooth()
    {
        for (var li = 0; li < layers.Count; li++)
        {
            var l = layers[li];
            if (scheme.SmoothAlpha is { } alpha)
            {
                l.InputSmoothing = Factors(channelMax.GetValueOrDefault($"l{li}.in"), [l.Query, l.Key, l.Value], alpha);
                l.FfnSmoothing = Factors(channelMax.GetValueOrDefault($"l{li}.ffn.in"), [l.Ffn1], alpha);
            }

            if (scheme.GeluSmoothAlpha is { } geluAlpha)
            {
                l.GeluSmoothing = Factors(channelMax.GetValueOrDefault($"l{li}.gelu"), [l.Ffn2], geluAlpha);
            }

            l.ApplySmoothing();
        }
    }

    private static float[]? Factors(float[]? xMax, float[][] weights, double alpha) =>
        xMax is null
            ? null
            : SmoothQuant.Factors(xMax.Select(v => (double)v).ToArray(), weights.Select(w => (IReadOnlyList<double>)w.Select(v => (double)v).ToArray()).ToArray(), alpha)
                .Select(v => (float)v).ToArray();
}
