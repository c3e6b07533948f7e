namespace HwGen.Software.Numerics.Transformer;

/// <summary>The exact float functions the integer units are measured against (double precision).</summary>
public static class ReferenceFunctions
{
    /// <summary>
    /// erf(x) to about 1e-15 absolute, from the everywhere-positive series
    /// <c>erf(x) = (2/√π)·e^(−x²)·Σ x·(2x²)^k / (2k+1)!!</c> (no cancellation); ±1 beyond |x| = 6.
    /// </summary>
    public static double Erf(double x)
    {
        var a = Math.Abs(x);
        if (a >= 6.0)
        {
            return Math.Sign(x);
        }

        var term = a;
        var sum = a;
        var x2 = 2.0 * a * a;
        for (var k = 1; k < 400 && term > 1e-18 * sum; k++)
        {
            term *= x2 / ((2 * k) + 1);
            sum += term;
        }

        var r = 2.0 / Math.Sqrt(Math.PI) * Math.Exp(-a * a) * sum;
        return x < 0 ? -r : r;
    }

    /// <summary>GELU(x) = x·½·(1 + erf(x/√2)).</summary>
    public static double Gelu(double x) => 0.5 * x * (1.0 + Erf(x / Math.Sqrt(2.0)));

    /// <summary>Softmax of the first <paramref name="valid"/> elements; the rest are 0.</summary>
    public static double[] Softmax(ReadOnlySpan<double> x, int valid)
    {
        var y = new double[x.Length];
        var n = Math.Clamp(valid, 0, x.Length);
        if (n == 0)
        {
            return y;
        }

        var m = double.NegativeInfinity;
        for (var j = 0; j < n; j++)
        {
            m = Math.Max(m, x[j]);
        }

        var s = 0.0;
        for (var j = 0; j < n; j++)
        {
            y[j] = Math.Exp(x[j] - m);
            s += y[j];
        }

        for (var j = 0; j < n; j++)
        {
            y[j] /= s;
        }

        return y;
    }

    /// <summary>LayerNorm without ε: <c>γ·(x − μ)/σ + β</c> (population σ); a constant row (σ ≤ 1e-12·max|x|, i.e. zero up to float rounding) gives β.</summary>
    public static double[] LayerNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> gamma, ReadOnlySpan<double> beta)
    {
        var n = x.Length;
        var mean = 0.0;
        foreach (var v in x)
        {
            mean += v;
        }

        mean /= n;
        var var = 0.0;
        foreach (var v in x)
        {
            var += (v - mean) * (v - mean);
        }

        var sd = Math.Sqrt(var / n);
        var scale = 0.0;
        foreach (var v in x)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        var constant = sd <= 1e-12 * scale;
        var y = new double[n];
        for (var j = 0; j < n; j++)
        {
            y[j] = constant ? beta[j] : (gamma[j] * (x[j] - mean) / sd) + beta[j];
        }

        return y;
    }
}
