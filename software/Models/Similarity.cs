namespace HwGen.Models;

/// <summary>Accuracy measures: cosine similarity, Spearman rank correlation, percentiles.</summary>
public static class Similarity
{
    /// <summary>Cosine of two vectors (1 for identical directions).</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na > 0 && nb > 0 ? dot / Math.Sqrt(na * nb) : 0;
    }

    /// <summary>Largest absolute elementwise difference.</summary>
    public static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var m = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            m = Math.Max(m, Math.Abs((double)a[i] - b[i]));
        }

        return m;
    }

    /// <summary>The upper triangle of the pairwise cosine matrix of embeddings.</summary>
    public static double[] PairwiseCosines(IReadOnlyList<float[]> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        var list = new List<double>();
        for (var i = 0; i < embeddings.Count; i++)
        {
            for (var j = i + 1; j < embeddings.Count; j++)
            {
                list.Add(Cosine(embeddings[i], embeddings[j]));
            }
        }

        return [.. list];
    }

    /// <summary>Spearman's rank correlation (average ranks for ties).</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count < 2)
        {
            return double.NaN;
        }

        var rx = Ranks(x);
        var ry = Ranks(y);
        var mx = rx.Average();
        var my = ry.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }

        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>The p-th percentile (0..100) by linear interpolation between order statistics.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var s = values.Order().ToArray();
        if (s.Length == 0)
        {
            return double.NaN;
        }

        var pos = p / 100.0 * (s.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, s.Length - 1);
        return s[lo] + ((pos - lo) * (s[hi] - s[lo]));
    }

    private static double[] Ranks(IReadOnlyList<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]])
            {
                j++;
            }

            var r = (i + j) / 2.0;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = r;
            }

            i = j + 1;
        }

        return ranks;
    }
}
