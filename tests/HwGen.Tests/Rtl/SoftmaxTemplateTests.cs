using System.Globalization;
using System.Text.RegularExpressions;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Tests.Rtl;

/// <summary>
/// The Softmax unit's Verilog parameter defaults are rendered from <see cref="KernelConstants"/>, the
/// constants the C# kernel uses too (one source of truth).
/// </summary>
public sealed partial class SoftmaxTemplateTests
{
    [Theory]
    [InlineData("FRAC_BITS", IntSoftmaxConstants.FracBits)]
    [InlineData("MAX_Z", IntSoftmaxConstants.MaxZ)]
    [InlineData("POLY_B", IntSoftmaxConstants.PolyB)]
    [InlineData("POLY_C", IntSoftmaxConstants.PolyC)]
    [InlineData("RECIP_BITS", IntSoftmaxConstants.ReciprocalBits)]
    [InlineData("OUT_FRAC", IntSoftmaxConstants.OutputFracBits)]
    public void Rendered_softmax_parameter_defaults_equal_the_kernel_constants(string parameter, long expected)
    {
        // Arrange
        var design = DesignResolver.LoadFile(RepoPaths.Config("default"));

        // Act
        var text = RtlGenerator.RenderAll(design, "test")["hwgen_softmax.v"];
        var match = ParameterLine().Matches(text).FirstOrDefault(m => m.Groups[1].Value == parameter);

        // Assert
        Assert.NotNull(match);
        Assert.Equal(expected, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_softmax_template_holds_no_numeric_kernel_constant()
    {
        // Arrange
        var template = TemplateStore.Read("rtl/hwgen_softmax.v.sbn");
        string[] kernel = ["FRAC_BITS", "MAX_Z", "POLY_B", "POLY_C", "RECIP_BITS", "OUT_FRAC"];

        // Act
        var literal = ParameterLine().Matches(template).Select(m => m.Groups[1].Value).Intersect(kernel).ToArray();

        // Assert
        Assert.Empty(literal);
    }

    [GeneratedRegex(@"parameter\s+(\w+)\s*=\s*(\d+)")]
    private static partial Regex ParameterLine();
}
