using HwGen.Report;
using HwGen.Verif;

namespace HwGen.Tests.Report;

/// <summary>The ScottPlot per-operation plot renders headless to a PNG file.</summary>
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
