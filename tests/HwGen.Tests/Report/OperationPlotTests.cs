using HwGen.Report;
using HwGen.Verif;

namespace HwGen.Tests.Report;

/// <summary>The ScottPlot per-operation plot renders headless to a PNG file, with its bars really drawn.</summary>
public sealed class OperationPlotTests : IDisposable
{
    private readonly string scratch = Path.Combine(Path.GetTempPath(), $"hwgen-plot-test-{Environment.ProcessId}-{Guid.NewGuid():N}");

    [Fact]
    public void A_plot_of_stacked_busy_and_idle_cycles_is_written_as_a_png_of_the_requested_size()
    {
        // Arrange
        Directory.CreateDirectory(scratch);
        var path = Path.Combine(scratch, "ops.png");
        PlotBar[] bars =
        [
            new("q_proj", new CycleBreakdown(16_387, 105, 5_349, 1_036, 0, 84, 0), 24_345),
            new("qk_softmax (x2)", new CycleBreakdown(8_196, 1_904, 5_690, 20, 8_960, 272, 0), 28_408),
            new("ffn2_ln2", new CycleBreakdown(66_564, 11_957, 48_714, 55, 12_936, 745, 3), null),
        ];

        // Act
        OperationPlot.Save(path, "bert-tiny on small", bars, 800, 450);

        // Assert
        var png = File.ReadAllBytes(path);
        Assert.True(png.Length > 5_000, $"{png.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(800, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(450, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Equal(["ops.png"], Directory.GetFiles(scratch).Select(Path.GetFileName));
    }

    [Fact]
    public void The_bars_are_drawn_with_each_causes_colour_and_heights_in_proportion_to_the_cycles()
    {
        // Arrange
        PlotBar[] bars =
        [
            new("q_proj", new CycleBreakdown(16_387, 105, 5_349, 1_036, 0, 84, 0), 24_345),
            new("qk_softmax (x2)", new CycleBreakdown(8_196, 1_904, 5_690, 20, 8_960, 272, 0), 28_408),
            new("ffn2_ln2", new CycleBreakdown(66_564, 11_957, 48_714, 55, 12_936, 745, 3), null),
        ];
        PlotBar[] empty = [.. bars.Select(b => b with { Cycles = new CycleBreakdown(0, 0, 0, 0, 0, 0, 0), Modelled = null })];

        // Act
        using var drawn = SkiaSharp.SKBitmap.Decode(OperationPlot.Render("t", bars, 800, 450));
        using var blank = SkiaSharp.SKBitmap.Decode(OperationPlot.Render("t", empty, 800, 450));

        // Assert: the array-busy green (#2CA02C) fills the three bars' bottoms, far beyond its legend swatch.
        var green = new SkiaSharp.SKColor(0x2C, 0xA0, 0x2C);
        var blue = new SkiaSharp.SKColor(0x1F, 0x77, 0xB4);
        Assert.True(Count(drawn, green) > 20 * Math.Max(1, Count(blank, green)), $"green pixels: {Count(drawn, green)} drawn, {Count(blank, green)} blank");
        Assert.True(Count(drawn, blue) > 20 * Math.Max(1, Count(blank, blue)), $"blue pixels: {Count(drawn, blue)} drawn, {Count(blank, blue)} blank");
        var heights = ColumnRuns(drawn, green);
        Assert.True(heights.Count == 3, $"green runs: {string.Join(", ", heights)}");
        Assert.InRange(heights[2] / heights[0], 66_564 / 16_387.0 * 0.93, 66_564 / 16_387.0 * 1.07);
        Assert.InRange(heights[1] / heights[0], 8_196 / 16_387.0 * 0.85, 8_196 / 16_387.0 * 1.15);
    }

    private static int Count(SkiaSharp.SKBitmap bitmap, SkiaSharp.SKColor color)
    {
        var n = 0;
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                n += bitmap.GetPixel(x, y) == color ? 1 : 0;
            }
        }

        return n;
    }

    /// <summary>For each horizontal stretch of columns holding tall runs of <paramref name="color"/>, the tallest vertical run (pixels), left to right.</summary>
    private static List<double> ColumnRuns(SkiaSharp.SKBitmap bitmap, SkiaSharp.SKColor color)
    {
        var tallest = new int[bitmap.Width];
        for (var x = 0; x < bitmap.Width; x++)
        {
            var run = 0;
            for (var y = 0; y < bitmap.Height; y++)
            {
                run = bitmap.GetPixel(x, y) == color ? run + 1 : 0;
                tallest[x] = Math.Max(tallest[x], run);
            }
        }

        // A bar is a stretch of at least 10 columns whose runs exceed a legend swatch (about 10 pixels).
        var bars = new List<double>();
        for (var x = 0; x < bitmap.Width;)
        {
            var start = x;
            while (x < bitmap.Width && tallest[x] > 12)
            {
                x++;
            }

            if (x - start >= 10)
            {
                bars.Add(tallest[start..x].Max());
            }

            x = Math.Max(x, start + 1);
        }

        return bars;
    }

    [Fact]
    public void Saving_into_a_missing_folder_fails_with_an_io_error_and_leaves_nothing_behind()
    {
        // Arrange
        var path = Path.Combine(scratch, "missing", "ops.png");

        // Act
        var e = Record.Exception(() => OperationPlot.Save(path, "t", [new("op", new CycleBreakdown(1, 0, 0, 0, 0, 0, 0), null)]));

        // Assert
        Assert.IsAssignableFrom<IOException>(e);
        Assert.False(Directory.Exists(Path.Combine(scratch, "missing")));
    }

    public void Dispose()
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
