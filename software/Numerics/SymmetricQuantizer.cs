namespace HwGen.Software.Numerics;

/// <summary>
/// Symmetric int8 quantization: <c>S = max|x| / 127</c>, <c>q = clamp(round(x / S), -127, 127)</c>
/// with rounding half away from zero. A tensor of zeros gets S = 1.
/// </summary>
public static class SymmetricQuantizer
{
    /// <summary>The largest quantized magnitude.</summary>
    public const int QMax = 127;

    /// <summary>The symmetric scale of a tensor.</summary>
    public static double Scale(ReadOnlySpan<double> values)
    {
        var max = 0.0;
        foreach (var v in values)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max > 0 ? max / QMax : 1.0;
    }

    /// <summary>Quantizes one value with a given scale.</summary>
    public static sbyte Quantize(double value, double scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        var q = Math.Round(value / scale, MidpointRounding.AwayFromZero);
        return (sbyte)Math.Clamp(q, -QMax, QMax);
    }

    /// <summary>Quantizes a tensor with its own symmetric scale.</summary>
    public static (sbyte[] Values, double Scale) Quantize(ReadOnlySpan<double> values)
    {
        var scale = Scale(values);
        var q = new sbyte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            q[i] = Quantize(values[i], scale);
        }

        return (q, scale);
    }

    /// <summary>
    /// Quantizes a tensor to a narrower symmetric range: <c>S = max|x| / qmax</c>, <c>q = clamp(round(x / S), -qmax, qmax)</c>
    /// (<paramref name="qmax"/> 7 for int4 weights).
    /// </summary>
    public static (sbyte[] Values, double Scale) Quantize(ReadOnlySpan<double> values, int qmax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(qmax, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(qmax, QMax);
        var scale = Scale(values) * QMax / qmax;
        var q = new sbyte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            q[i] = (sbyte)Math.Clamp(Math.Round(values[i] / scale, MidpointRounding.AwayFromZero), -qmax, qmax);
        }

        return (q, scale);
    }

    /// <summary>
    /// Quantizes a tensor to -<paramref name="qmax"/>..<paramref name="qmax"/> with the clipping scale that minimizes the
    /// squared rounding error: S = c·max|x|/qmax for the best c of 0.30, 0.32, .., 1.00 (values beyond qmax·S saturate).
    /// With few levels (int4 weights) clipping the rare largest values halves the step of all others.
    /// </summary>
    public static (sbyte[] Values, double Scale) QuantizeClipped(ReadOnlySpan<double> values, int qmax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(qmax, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(qmax, QMax);
        var full = Scale(values) * QMax / qmax;
        var (best, bestError) = (full, double.MaxValue);
        for (var step = 30; step <= 100; step += 2)
        {
            var scale = full * step / 100;
            double error = 0;
            foreach (var v in values)
            {
                var e = v - (scale * Math.Clamp(Math.Round(v / scale, MidpointRounding.AwayFromZero), -qmax, qmax));
                error += e * e;
            }

            if (error < bestError)
            {
                (best, bestError) = (scale, error);
            }
        }

        var q = new sbyte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            q[i] = (sbyte)Math.Clamp(Math.Round(values[i] / best, MidpointRounding.AwayFromZero), -qmax, qmax);
        }

        return (q, best);
    }

    /// <summary>
    /// Per output channel: column c of the row-major <paramref name="rows"/>×cols matrix <paramref name="values"/> quantized by
    /// <see cref="QuantizeClipped"/> on its own (its own clipped scale), for per-channel int4 weights.
    /// </summary>
    public static (sbyte[] Values, double[] Scales) QuantizeClippedColumns(ReadOnlySpan<double> values, int rows, int qmax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var cols = values.Length / rows;
        var q = new sbyte[values.Length];
        var scales = new double[cols];
        var column = new double[rows];
        for (var c = 0; c < cols; c++)
        {
            for (var r = 0; r < rows; r++)
            {
                column[r] = values[(r * cols) + c];
            }

            var (qc, s) = QuantizeClipped(column, qmax);
            scales[c] = s;
            for (var r = 0; r < rows; r++)
            {
                q[(r * cols) + c] = qc[r];
            }
        }

        return (q, scales);
    }

    /// <summary>The real value of a quantized element.</summary>
    public static double Dequantize(sbyte q, double scale) => q * scale;
}
