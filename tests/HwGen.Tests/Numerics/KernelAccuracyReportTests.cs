using HwGen.Software.Numerics.Transformer;
using Xunit.Abstractions;

namespace HwGen.Tests.Numerics;

public sealed class KernelAccuracyReportTests(ITestOutputHelper output)
{
    [Fact]
    public void Kernel_accuracy_report_covers_every_kernel_and_stays_within_the_documented_bounds()
    {
        // Arrange, Act
        var report = KernelAccuracy.Report();
        output.WriteLine(report);

        // Assert
        foreach (var kernel in new[] { "| GELU |", "| i-exp |", "| Softmax |", "| LayerNorm |", "| Residual add |" })
        {
            Assert.Contains(kernel, report, StringComparison.Ordinal);
        }

        var maxLsb = report.Split('\n')
            .Where(l => l.StartsWith("| Softmax", StringComparison.Ordinal) || l.StartsWith("| LayerNorm", StringComparison.Ordinal)
                        || l.StartsWith("| Residual add", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split('|')[6], System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(maxLsb, v => Assert.InRange(v, 0, 1.0));
    }
}
