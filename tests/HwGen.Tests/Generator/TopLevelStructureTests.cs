using System.Text.RegularExpressions;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Generator.Rendering;
using HwGen.Verif;

namespace HwGen.Tests.Generator;

public sealed partial class TopLevelStructureTests
{
    [Theory]
    [InlineData("hwgen_top.v")]
    [InlineData("hwgen_axil_regs.v")]
    [InlineData("hwgen_frontend.v")]
    [InlineData("hwgen_control.v")]
    [InlineData("hwgen_datapath.v")]
    public void The_top_level_modules_are_at_most_500_lines(string file)
    {
        var files = RtlGenerator.RenderAll(DesignResolver.LoadFile(RepoPaths.Config("default")), "hwgen generate");

        var lines = files[file].Split('\n').Length;

        Assert.True(lines <= 500, $"{file} has {lines} lines");
    }

    [Fact]
    public void The_harness_reads_no_internal_signal_names_and_needs_no_public_signal_waivers()
    {
        var harness = Path.Combine(RepoPaths.Root, "verif", "harness");

        var sources = Directory.GetFiles(harness).Select(File.ReadAllText).ToArray();

        Assert.DoesNotContain(sources, s => s.Contains("__DOT__", StringComparison.Ordinal));
        Assert.DoesNotContain(sources, s => s.Contains("___024root", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(harness, "*.vlt"));
    }

    [Fact]
    public void Every_bit_of_the_debug_port_is_driven_by_the_top_level_and_read_by_the_profiler()
    {
        var files = RtlGenerator.RenderAll(DesignResolver.LoadFile(RepoPaths.Config("tiny")), "hwgen generate");
        var header = HarnessParamsHeader.Render();
        var profiler = File.ReadAllText(Path.Combine(RepoPaths.Root, "verif", "harness", "profiler.h"));

        Assert.Contains($"output wire [`ISA_DBG_PROFILE_W-1:0] {DebugPort.Name}", files["hwgen_top.v"], StringComparison.Ordinal);
        Assert.Contains($"`define ISA_DBG_PROFILE_W {DebugPort.Width} ", files["hwgen_isa.vh"], StringComparison.Ordinal);
        foreach (var field in DebugPort.Fields)
        {
            var define = $"`ISA_DBG_{field.Name.ToUpperInvariant()}_LSB";
            Assert.Matches(new Regex(Regex.Escape(define) + @"\]\s*=\s*\w+"), files["hwgen_top.v"]);
            var constant = $"kDbg{Pascal(field.Name)}Bit";
            Assert.Contains($"constexpr int {constant} = {field.Lsb};", header, StringComparison.Ordinal);
            Assert.Contains(constant, profiler, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_harness_build_compiles_and_hashes_every_harness_source()
    {
        var harness = Path.Combine(RepoPaths.Root, "verif", "harness");

        var compiled = HarnessBuild.HarnessSources(harness).Select(Path.GetFileName).ToArray();

        Assert.Contains("sim_main.cpp", compiled);
        Assert.Contains("profiler.cpp", compiled);
        Assert.Contains("diagnose.cpp", compiled);
        Assert.DoesNotContain(compiled, f => f!.StartsWith("test_", StringComparison.Ordinal));
        Assert.Equal(
            Directory.GetFiles(harness, "*.cpp").Select(Path.GetFileName).Where(f => !f!.StartsWith("test_", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            compiled);
    }

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));
}
