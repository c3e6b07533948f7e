using System.Globalization;
using System.Text.RegularExpressions;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Tests.Rtl;

/// <summary>The LayerNorm unit's Verilog parameter defaults are the C# kernel's constants (one source of truth).</summary>
public sealed partial class LayerNormTemplateTests
{
    [Theory]
    [InlineData("DEV_BITS", IntLayerNormConstants.DeviationBits)]
    [InlineData("FACTOR_BITS", IntLayerNormConstants.FactorBits)]
    [InlineData("NORM_FRAC", IntLayerNormConstants.NormFracBits)]
    [InlineData("BETA_FRAC", IntLayerNormConstants.BetaFracBits)]
    public void LayerNorm_rtl_parameter_defaults_equal_the_kernel_constants(string parameter, long expected)
    {
        // Arrange
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "templates", "rtl", "hwgen_layernorm.v.sbn"));

        // Act
        var match = ParameterLine().Matches(text).FirstOrDefault(m => m.Groups[1].Value == parameter);

        // Assert
        Assert.NotNull(match);
        Assert.Equal(expected, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
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
