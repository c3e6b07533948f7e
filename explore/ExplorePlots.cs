using ScottPlot;

namespace HwGen.Explore;

/// <summary>The sweep's two PNGs: cycles against energy with the front marked, and each swept key's effect on cycles.</summary>
public static class ExplorePlots
{
    /// <summary>Every ok point (grey) and the front (red): cycles (thousands) against energy (µJ).</summary>
    public static byte[] Pareto(string title, IReadOnlyList<PointResult> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var plot = new Plot();
        var ok = points.Where(p => p.Status == "ok").ToList();
        void Series(IEnumerable<PointResult> set, Color color, float size, string label)
        {
            var s = set.ToList();
            if (s.Count == 0)
            {
                return;
            }

            var scatter = plot.Add.ScatterPoints(s.Select(p => p.Cycles / 1000.0).ToArray(), s.Select(p => p.EnergyUj).ToArray(), color);
            scatter.MarkerSize = size;
            scatter.LegendText = label;
        }

        Series(ok.Where(p => !p.OnFront), Colors.Gray.WithAlpha(0.5), 5, $"points ({ok.Count})");
        Series(ok.Where(p => p.OnFront), Colors.Red, 9, $"Pareto front ({ok.Count(p => p.OnFront)})");
        plot.XLabel("cycles, thousands (performance model)");
        plot.YLabel("dynamic energy per run, µJ (energy model)");
        return Finish(plot, title, 1280, 800);
    }

    /// <summary>One panel per swept key: the median predicted cycles over all ok points with each value of it.</summary>
    public static byte[] Sensitivity(string title, SpaceFile space, IReadOnlyList<PointResult> points)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(points);
        var multi = new Multiplot();
        var plots = new List<Plot>();
        foreach (var (key, values) in space.Axes)
        {
            var plot = new Plot();
            var medians = values.Select(v => Median(points.Where(p => p.Status == "ok" && p.Values[key] == v).Select(p => (double)p.Cycles))).ToArray();
            var bars = plot.Add.Bars(medians.Select(m => m / 1000).ToArray());
            bars.Color = Colors.SteelBlue;
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                [.. Enumerable.Range(0, values.Count).Select(i => (double)i)], [.. values]);
            plot.Axes.Margins(bottom: 0);
            plot.XLabel(key);
            plot.YLabel("median cycles (thousands)");
            plots.Add(plot);
        }

        var columns = Math.Min(3, plots.Count);
        var rows = (plots.Count + columns - 1) / columns;
        for (var i = 0; i < plots.Count; i++)
        {
            plots[i].Font.Set("DejaVu Sans");
            if (i == 0)
            {
                multi.Reset(plots[i]); // a new Multiplot holds one empty plot
            }
            else
            {
                multi.AddPlot(plots[i]);
            }
        }

        multi.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        plots[0].Title(title);
        return multi.Render(420 * columns, 340 * rows).GetImageBytes(ImageFormat.Png);
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? 0 : v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
    }

    private static byte[] Finish(Plot plot, string title, int width, int height)
    {
        plot.Title(title);
        plot.ShowLegend(Edge.Right);
        plot.Font.Set("DejaVu Sans");
        plot.Legend.FontName = "DejaVu Sans";
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
