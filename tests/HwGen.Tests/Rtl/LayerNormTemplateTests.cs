using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Generator.Rendering;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Tests.Rtl;

/// <summary>
/// The LayerNorm unit's Verilog parameter defaults are rendered from <see cref="KernelConstants"/>, the
/// constants the C# kernel uses too (one source of truth).
/// </summary>
public sealed partial class LayerNormTemplateTests
{
    [Theory]
    [InlineData("DEV_BITS", IntLayerNormConstants.DeviationBits)]
    [InlineData("FACTOR_BITS", IntLayerNormConstants.FactorBits)]
    [InlineData("NORM_FRAC", IntLayerNormConstants.NormFracBits)]
    [InlineData("BETA_FRAC", IntLayerNormConstants.BetaFracBits)]
    public void Rendered_layernorm_parameter_defaults_equal_the_kernel_constants(string parameter, long expected)
    {
        // Arrange
        var design = DesignResolver.LoadFile(RepoPaths.Config("small"));

        // Act
        var text = RtlGenerator.RenderAll(design, "test")["hwgen_layernorm.v"];
        var match = ParameterLine().Matches(text).FirstOrDefault(m => m.Groups[1].Value == parameter);

        // Assert
        Assert.NotNull(match);
        Assert.Equal(expected, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_layernorm_template_holds_no_numeric_kernel_constant()
    {
        // Arrange
        var template = TemplateStore.Read("rtl/hwgen_layernorm.v.sbn");
        string[] kernel = ["DEV_BITS", "FACTOR_BITS", "NORM_FRAC", "BETA_FRAC"];

        // Act
        var literal = ParameterLine().Matches(template).Select(m => m.Groups[1].Value).Intersect(kernel).ToArray();

        // Assert
        Assert.Empty(literal);
    }

    [Fact]
    public void Every_kernel_constant_is_visible_to_the_templates_with_its_value()
    {
        // Arrange
        var constants = typeof(KernelConstants).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).ToArray();
        var values = KernelConstants.TemplateValues;

        // Act
        var missing = constants.Where(f => !Equals(values.GetType().GetProperty(f.Name)?.GetValue(values), f.GetRawConstantValue()))
            .Select(f => f.Name).ToArray();

        // Assert
        Assert.NotEmpty(constants);
        Assert.Empty(missing);
    }

    [Fact]
    public void The_output_multiplier_register_is_as_wide_as_the_kernel_allows()
    {
        // Arrange
        var reg = IsaSpec.PostRegisters.Single(r => r.Name == "ln_out_mult");

        // Act
        var bits = 64 - long.LeadingZeroCount(reg.Max);

        // Assert
        Assert.Equal(IntLayerNormConstants.OutputMultiplierBits, bits);
    }

    [GeneratedRegex(@"parameter\s+(\w+)\s*=\s*(\d+)")]
    private static partial Regex ParameterLine();
}
