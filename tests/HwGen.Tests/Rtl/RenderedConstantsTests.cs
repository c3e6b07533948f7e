using System.Text.RegularExpressions;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;

namespace HwGen.Tests.Rtl;

/// <summary>
/// Derived sizes reach the RTL from C#: the requantizer's cycles per row from
/// <see cref="DesignModel.RequantCyclesPerRow"/>, the widest normalize row from the ISA, and the
/// Verilog modules stay small enough to read.
/// </summary>
public sealed partial class RenderedConstantsTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("ice40")]
    [InlineData("small")]
    public void The_requantizer_cycles_per_row_are_rendered_from_the_design_model(string config)
    {
        // Arrange
        var design = DesignResolver.LoadFile(RepoPaths.Config(config));

        // Act
        var files = RtlGenerator.RenderAll(design, "test");
        var requant = Regex.Match(files["hwgen_requant.v"], @"parameter\s+II\s*=\s*(\d+)");
        var store = Regex.Match(files["hwgen_store_unit.v"], @"parameter\s+RQ_II\s*=\s*(\d+)");

        // Assert
        Assert.Equal(design.RequantCyclesPerRow.ToString(System.Globalization.CultureInfo.InvariantCulture), requant.Groups[1].Value);
        Assert.Equal(design.RequantCyclesPerRow.ToString(System.Globalization.CultureInfo.InvariantCulture), store.Groups[1].Value);
    }

    [Fact]
    public void No_store_or_requantizer_template_computes_the_cycles_per_row_or_hard_codes_the_widest_row()
    {
        // Arrange
        var names = TemplateStore.Names.Where(n => n.StartsWith("rtl/hwgen_store", StringComparison.Ordinal) || n == "rtl/hwgen_requant.v.sbn").ToArray();

        // Act
        var offenders = names.Where(n => TemplateStore.Read(n) is var t && (t.Contains("72 +", StringComparison.Ordinal) || t.Contains("4096", StringComparison.Ordinal))).ToArray();

        // Assert
        Assert.NotEmpty(names);
        Assert.Empty(offenders);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("ice40")]
    public void Every_verilog_module_has_at_most_500_lines(string config)
    {
        // Arrange
        var design = DesignResolver.LoadFile(RepoPaths.Config(config));

        // Act
        var files = RtlGenerator.RenderAll(design, "test").Where(f => f.Key.EndsWith(".v", StringComparison.Ordinal));
        // hwgen_top is split on its own branch (the generator configuration work).
        string[] exceptions = ["hwgen_top.v"];
        var tooLong = files.Where(f => !exceptions.Contains(f.Key) && f.Value.Count(c => c == '\n') > 500).Select(f => $"{f.Key}: {f.Value.Count(c => c == '\n')}").ToArray();

        // Assert
        Assert.Empty(tooLong);
    }

    [Fact]
    public void One_module_writes_the_4_KiB_burst_split_and_one_the_banked_memory()
    {
        // Arrange
        var templates = TemplateStore.Names.Where(n => n.StartsWith("rtl/", StringComparison.Ordinal)).ToDictionary(n => n, TemplateStore.Read);

        // Act
        var pageMath = templates.Where(t => t.Value.Contains("13'd4096", StringComparison.Ordinal) || t.Value.Contains("[31:12] +", StringComparison.Ordinal)).Select(t => t.Key).ToArray();
        string[] memories = ["rtl/hwgen_scratchpad.v.sbn", "rtl/hwgen_accumulator.v.sbn"];
        var banked = memories.Where(m => templates[m].Contains("hwgen_banked_mem #(", StringComparison.Ordinal) && !templates[m].Contains("hwgen_sram_sdp", StringComparison.Ordinal)).ToArray();
        var splitUsers = templates.Where(t => Instance().IsMatch(t.Value)).Select(t => t.Key).Order(StringComparer.Ordinal).ToArray();

        // Assert
        Assert.Empty(pageMath);
        Assert.Equal(memories, banked);
        Assert.Equal(["rtl/hwgen_fetch.v.sbn", "rtl/hwgen_load_agen.v.sbn", "rtl/hwgen_store_wdma.v.sbn"], splitUsers);
    }

    [GeneratedRegex(@"^\s+hwgen_axi_split #\(", RegexOptions.Multiline)]
    private static partial Regex Instance();
}
