using HwGen.Report;
using HwGen.Verif;

namespace HwGen.Tests.Report;

/// <summary>The decode plot (<c>sim --plot</c> of a generation): cycles per step against the context, beside the roofline.</summary>
public sealed class DecodePlotTests
{
    [Fact]
    public void Steps_whose_cycles_grow_with_the_context_are_drawn_rising_from_left_to_right()
    {
        // Arrange: four steps, each 100,000 cycles longer than the one before
        DecodePlot.Point[] points = [new(10, 100_000, 90_000, 5_000), new(20, 200_000, 180_000, 10_000), new(30, 300_000, 270_000, 15_000), new(40, 400_000, 360_000, 20_000)];

        // Act
        using var image = SkiaSharp.SKBitmap.Decode(DecodePlot.Render("t", points, 800, 450));

        // Assert: the measured series' blue (#1F77B4) is drawn, and its highest pixel in the right quarter of the plot lies
        // well above its highest pixel in the left quarter (pixel rows grow downwards)
        var blue = new SkiaSharp.SKColor(0x1F, 0x77, 0xB4);
        var (left, right) = (Top(image, blue, 0, image.Width / 4), Top(image, blue, 3 * image.Width / 4, image.Width));
        Assert.True(left > 0 && right > 0, $"blue rows: left {left}, right {right}");
        Assert.True(left - right > image.Height / 4, $"blue tops: left {left}, right {right}");
    }

    [Fact]
    public void A_generation_without_a_decode_step_has_nothing_to_plot_and_says_so()
    {
        // Arrange
        var report = new DecodeReport("default", "gpt2-small:prompt=4,generate=1", [], 2);

        // Act
        var error = Assert.Throws<ArgumentException>(() => DecodePlot.Points(report));

        // Assert
        Assert.Contains("no decode step", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The smallest pixel row holding <paramref name="color"/> in columns [x0, x1), or -1.</summary>
    private static int Top(SkiaSharp.SKBitmap bitmap, SkiaSharp.SKColor color, int x0, int x1)
    {
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                if (bitmap.GetPixel(x, y) == color)
                {
                    return y;
                }
            }
        }

        return -1;
    }
}
