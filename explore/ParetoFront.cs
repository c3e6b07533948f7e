namespace HwGen.Explore;

/// <summary>The points no other point beats on every objective (all minimized).</summary>
public static class ParetoFront
{
    /// <summary>The objectives: cycles, energy and area (the resource model's LUT-equivalents).</summary>
    public static double[] Objectives(PointResult p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return p.Accuracy is { } accuracy ? [p.Cycles, p.EnergyUj, p.AreaLutEq, -accuracy] : [p.Cycles, p.EnergyUj, p.AreaLutEq];
    }

    /// <summary>Indices (into <paramref name="points"/>) of the non-dominated points; equal points are all kept.</summary>
    public static IReadOnlyList<int> Of(IReadOnlyList<double[]> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var front = new List<int>();
        for (var i = 0; i < points.Count; i++)
        {
            var dominated = false;
            for (var j = 0; j < points.Count && !dominated; j++)
            {
                dominated = j != i && Dominates(points[j], points[i]);
            }

            if (!dominated)
            {
                front.Add(i);
            }
        }

        return front;
    }

    /// <summary>True when a is no worse than b everywhere and better somewhere.</summary>
    public static bool Dominates(double[] a, double[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var better = false;
        for (var k = 0; k < a.Length; k++)
        {
            if (a[k] > b[k])
            {
                return false;
            }

            better |= a[k] < b[k];
        }

        return better;
    }
}
