namespace HwGen.Software.Layers;

/// <summary>
/// SmoothQuant's migration factors (Xiao et al., 2023): for an activation X read by projections W, channel j is divided
/// by <c>s_j = max|X_j|^α / max|W_j|^(1−α)</c> (clamped to [0.01, 100]) and W's row j multiplied by it, so X·W is
/// unchanged while X's outlier channels shrink before rounding.
/// </summary>
public static class SmoothQuant
{
    /// <summary>Smallest factor.</summary>
    public const double MinFactor = 1e-2;

    /// <summary>Largest factor.</summary>
    public const double MaxFactor = 1e2;

    /// <summary>
    /// The factors for an activation with per-channel maxima <paramref name="xMax"/> (length h) read by the row-major
    /// h×cols matrices <paramref name="weights"/> (the largest |w| of row j over all of them).
    /// </summary>
    public static double[] Factors(IReadOnlyList<double> xMax, IReadOnlyList<IReadOnlyList<double>> weights, double alpha)
    {
        ArgumentNullException.ThrowIfNull(xMax);
        ArgumentNullException.ThrowIfNull(weights);
        var h = xMax.Count;
        var s = new double[h];
        for (var j = 0; j < h; j++)
        {
            var wMax = 0.0;
            foreach (var w in weights)
            {
                var cols = w.Count / h;
                for (var c = 0; c < cols; c++)
                {
                    wMax = Math.Max(wMax, Math.Abs(w[(j * cols) + c]));
                }
            }

            var v = Math.Pow(Math.Max(xMax[j], 1e-5), alpha) / Math.Pow(Math.Max(wMax, 1e-5), 1 - alpha);
            s[j] = Math.Clamp(v, MinFactor, MaxFactor);
        }

        return s;
    }
}
