using System.Globalization;
using System.Text.RegularExpressions;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Tests.Rtl;

/// <summary>The Softmax unit's Verilog parameter defaults are the C# kernel's constants (one source of truth).</summary>
public sealed partial class SoftmaxTemplateTests
{
    [Theory]
    [InlineData("FRAC_BITS", IntSoftmaxConstants.FracBits)]
    [InlineData("MAX_Z", IntSoftmaxConstants.MaxZ)]
    [InlineData("POLY_B", IntSoftmaxConstants.PolyB)]
    [InlineData("POLY_C", IntSoftmaxConstants.PolyC)]
    [InlineData("RECIP_BITS", IntSoftmaxConstants.ReciprocalBits)]
    [InlineData("OUT_FRAC", IntSoftmaxConstants.OutputFracBits)]
    public void Softmax_rtl_parameter_defaults_equal_the_kernel_constants(string parameter, long expected)
    {
        // Arrange
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "templates", "rtl", "hwgen_softmax.v.sbn"));

        // Act
        var match = ParameterLine().Matches(text).FirstOrDefault(m => m.Groups[1].Value == parameter);

        // Assert
        Assert.NotNull(match);
        Assert.Equal(expected, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"parameter\s+(\w+)\s*=\s*(\d+)")]
    private static partial Regex ParameterLine();
}
