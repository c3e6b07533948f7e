using System.Globalization;
using HwGen.Verif;
using ScottPlot;

namespace HwGen.Report;

/// <summary>
/// Draws a co-simulated generation's decode steps as a PNG: measured cycles per step against the context length, beside
/// the step's roofline (the bandwidth bound: bytes moved ÷ AXI bytes a beat; the compute bound: MACs ÷ PEs), so a user sees
/// how a step grows with its cache and how far it stays from the bound (docs/decode.md).
/// </summary>
public static class DecodePlot
{
    /// <summary>One decode step's point: the context (the longest of a batched step's sequences) and its cycles and bounds.</summary>
    public sealed record Point(int Context, long Cycles, double BandwidthBound, double ComputeBound);

    /// <summary>The decode steps of <paramref name="report"/>, in step order.</summary>
    /// <exception cref="ArgumentException">The generation ran no decode step.</exception>
    public static IReadOnlyList<Point> Points(DecodeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var points = report.DecodeSteps.Select(s => new Point(s.Context, s.Cycles, s.BandwidthBoundCycles, s.ComputeBoundCycles)).ToList();
        return points.Count > 0 ? points : throw new ArgumentException("the generation ran no decode step to plot", nameof(report));
    }

    /// <summary>Renders the points as PNG bytes.</summary>
    public static byte[] Render(string title, IReadOnlyList<Point> points, int width = 1280, int height = 720)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(points);
        var plot = new Plot();
        var x = points.Select(p => (double)p.Context).ToArray();
        var measured = plot.Add.Scatter(x, points.Select(p => (double)p.Cycles).ToArray());
        measured.LegendText = "measured cycles (RTL)";
        measured.Color = Color.FromHex("#1F77B4");
        measured.MarkerSize = 7;
        var bandwidth = plot.Add.Scatter(x, points.Select(p => p.BandwidthBound).ToArray());
        bandwidth.LegendText = "bandwidth bound (bytes ÷ AXI bytes a beat)";
        bandwidth.Color = Color.FromHex("#FF7F0E");
        bandwidth.LinePattern = LinePattern.Dashed;
        bandwidth.MarkerSize = 0;
        var compute = plot.Add.Scatter(x, points.Select(p => p.ComputeBound).ToArray());
        compute.LegendText = "compute bound (MACs ÷ PEs)";
        compute.Color = Color.FromHex("#2CA02C");
        compute.LinePattern = LinePattern.Dotted;
        compute.MarkerSize = 0;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsY(0, points.Max(p => Math.Max(p.Cycles, Math.Max(p.BandwidthBound, p.ComputeBound))) * 1.08);
        plot.XLabel("context (cache rows the step attends to)");
        plot.YLabel("cycles per step");
        plot.Title(title);
        plot.ShowLegend(Edge.Bottom);
        plot.Font.Set("DejaVu Sans");
        plot.Legend.FontName = "DejaVu Sans";
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>A title naming the workload, configuration and cycles per token.</summary>
    public static string Title(DecodeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return string.Create(CultureInfo.InvariantCulture,
            $"{report.Workload} on {report.Config}: {Math.Round(report.CyclesPerToken):N0} cycles per token over {report.Tokens} tokens");
    }

    /// <summary>Renders <paramref name="report"/>'s decode steps to a PNG file.</summary>
    /// <exception cref="ArgumentException">The generation ran no decode step.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be written.</exception>
    public static void Save(string path, DecodeReport report) => PngFile.Write(path, Render(Title(report), Points(report)));
}
