namespace HwGen.Explore.Cost;

/// <summary>Linear least squares for the resource model's small fits (a handful of points and terms).</summary>
public static class LeastSquares
{
    /// <summary>
    /// The b minimizing ‖X b − y‖² + λ‖S b‖², where S scales each column to unit norm and λ = 1e-9: an ordinary
    /// least-squares fit when the points determine every term, the smallest scaled coefficients that fit otherwise
    /// (a term constant over the points shares its weight with the others instead of taking an arbitrary value).
    /// </summary>
    public static double[] Solve(IReadOnlyList<double[]> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count == 0)
        {
            throw new ArgumentException("least squares needs as many targets as rows, and at least one row");
        }

        var n = x[0].Length;
        var scale = Enumerable.Range(0, n).Select(j => Math.Sqrt(x.Sum(r => r[j] * r[j]))).Select(s => s == 0 ? 1 : s).ToArray();
        var a = new double[n, n + 1];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                a[i, j] = x.Sum(r => r[i] / scale[i] * r[j] / scale[j]) + (i == j ? 1e-9 : 0);
            }

            a[i, n] = x.Select((r, k) => r[i] / scale[i] * y[k]).Sum();
        }

        // Gaussian elimination with partial pivoting on the (symmetric positive definite) normal equations.
        for (var c = 0; c < n; c++)
        {
            var pivot = Enumerable.Range(c, n - c).MaxBy(r => Math.Abs(a[r, c]));
            for (var j = 0; j <= n; j++)
            {
                (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
            }

            for (var r = 0; r < n; r++)
            {
                if (r == c || a[r, c] == 0)
                {
                    continue;
                }

                var f = a[r, c] / a[c, c];
                for (var j = c; j <= n; j++)
                {
                    a[r, j] -= f * a[c, j];
                }
            }
        }

        return [.. Enumerable.Range(0, n).Select(i => a[i, n] / a[i, i] / scale[i])];
    }
}
