using System.Globalization;
using HwGen.Verif;
using ScottPlot;

namespace HwGen.Report;

/// <summary>
/// Draws the per-operation cycle breakdown of a co-simulation as a PNG with ScottPlot: one stacked bar per operation
/// (array busy, then each idle cause), with the performance model's estimate as a marker. Renders off-screen (SkiaSharp),
/// so it works headless.
/// </summary>
public static class OperationPlot
{
    private static Color ColorOf(ExecCause cause) => Color.FromHex(cause switch
    {
        ExecCause.ArrayActive => "#2CA02C",
        ExecCause.Pipeline => "#98DF8A",
        ExecCause.Load => "#1F77B4",
        ExecCause.Store => "#FF7F0E",
        ExecCause.Normalize => "#9467BD",
        ExecCause.Fetch => "#D62728",
        _ => "#7F7F7F",
    });

    /// <summary>The bars of a report: one per operation of a layer report, else one for the whole program.</summary>
    /// <exception cref="ArgumentException">The report has no per-cycle profile.</exception>
    public static IReadOnlyList<PlotBar> Bars(CosimReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Layer is { } layer)
        {
            return layer.Operations.Select(o => new PlotBar(o.Count > 1 ? $"{o.Name} (x{o.Count})" : o.Name, o.Breakdown, o.ModelledCycles)).ToList();
        }

        return report.ExecCycles is { } total
            ? [new PlotBar("program", total, null)]
            : throw new ArgumentException("the report has no per-cycle profile to plot", nameof(report));
    }

    /// <summary>A title naming the workload, configuration, cycles and utilization.</summary>
    public static string Title(CosimReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return string.Create(CultureInfo.InvariantCulture,
            $"{report.Workload} on {report.Config}: {report.Cycles:#,0} cycles, utilization {report.Utilization:P1}");
    }

    /// <summary>Renders <paramref name="bars"/> to a PNG file.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be written.</exception>
    public static void Save(string path, string title, IReadOnlyList<PlotBar> bars, int width = 1280, int height = 720)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(bars);
        PngFile.Write(path, Render(title, bars, width, height));
    }

    /// <summary>Renders <paramref name="bars"/> as PNG bytes.</summary>
    public static byte[] Render(string title, IReadOnlyList<PlotBar> bars, int width = 1280, int height = 720)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(bars);
        var plot = new Plot();
        var scale = bars.Select(b => Math.Max(b.Cycles.Total, b.Modelled ?? 0)).DefaultIfEmpty(0).Max() >= 10_000 ? 1000.0 : 1.0;
        var stacked = new List<ScottPlot.Bar>();
        for (var i = 0; i < bars.Count; i++)
        {
            double bottom = 0;
            foreach (var cause in ExecCauses.All)
            {
                var value = bars[i].Cycles.Get(cause) / scale;
                if (value <= 0)
                {
                    continue;
                }

                stacked.Add(new ScottPlot.Bar
                {
                    Position = i,
                    ValueBase = bottom,
                    Value = bottom + value,
                    FillColor = ColorOf(cause),
                    LineWidth = 0,
                    Size = 0.7,
                });
                bottom += value;
            }
        }

        plot.Add.Bars(stacked);
        var modelled = Enumerable.Range(0, bars.Count).Where(i => bars[i].Modelled is not null).ToArray();
        if (modelled.Length > 0)
        {
            plot.Add.Markers(
                modelled.Select(i => (double)i).ToArray(),
                modelled.Select(i => bars[i].Modelled!.Value / scale).ToArray(),
                MarkerShape.FilledDiamond, 10, Color.FromHex("#000000"));
        }

        foreach (var cause in ExecCauses.All)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = ExecCauses.Label(cause), FillColor = ColorOf(cause) });
        }

        if (modelled.Length > 0)
        {
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = "performance model",
                MarkerShape = MarkerShape.FilledDiamond,
                MarkerFillColor = Color.FromHex("#000000"),
                MarkerSize = 10,
            });
        }

        plot.ShowLegend(Edge.Right);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, bars.Count).Select(i => (double)i).ToArray(), bars.Select(b => b.Name).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsX(-0.6, bars.Count - 0.4);
        plot.YLabel(scale > 1 ? "cycles (thousands)" : "cycles");
        plot.Title(title);
        plot.Font.Set("DejaVu Sans");
        plot.Legend.FontName = "DejaVu Sans";
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
