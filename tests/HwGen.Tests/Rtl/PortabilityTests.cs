using CliWrap;
using CliWrap.Buffered;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;

namespace HwGen.Tests.Rtl;

/// <summary>Every shipped configuration's RTL is portable: Verilator -Wall clean, Icarus -g2005, Yosys without latches.</summary>
public sealed class PortabilityTests
{
    public static TheoryData<string> Configs() => new(RepoPaths.ConfigNames());

    private static string Render(string config)
    {
        var dir = Path.Combine(Path.GetTempPath(), "hwgen-port-" + config + "-" + Guid.NewGuid().ToString("N")[..8]);
        RtlGenerator.Generate(DesignResolver.LoadFile(RepoPaths.Config(config)), dir, "hwgen generate configs/" + config + ".yaml");
        return dir;
    }

    [SkippableTheory]
    [MemberData(nameof(Configs))]
    public async Task Verilator_lint_with_all_warnings_is_clean(string config)
    {
        var verilator = ExternalTool.Require("verilator", "verilator");
        var dir = Render(config);

        var result = await Cli.Wrap(verilator)
            .WithArguments(["--lint-only", "-Wall", "--top-module", RtlGenerator.TopModule, "hwgen_lint.vlt", "-f", RtlGenerator.FileListName])
            .WithWorkingDirectory(dir).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

        Assert.True(result.ExitCode == 0 && !result.StandardError.Contains("%Warning", StringComparison.Ordinal),
            $"verilator --lint-only -Wall on {config}:\n{result.StandardError}");
        Directory.Delete(dir, recursive: true);
    }

    [SkippableTheory]
    [MemberData(nameof(Configs))]
    public async Task Icarus_compiles_the_rtl_as_verilog_2005(string config)
    {
        var iverilog = ExternalTool.Require("iverilog", "iverilog");
        var dir = Render(config);

        var result = await Cli.Wrap(iverilog)
            .WithArguments(new[] { "-g2005", "-Wall", "-I", ".", "-s", RtlGenerator.TopModule, "-o", "/dev/null" }
                .Concat(RtlGenerator.ReadFileList(dir)))
            .WithWorkingDirectory(dir).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

        Assert.True(result.ExitCode == 0, $"iverilog -g2005 on {config}:\n{result.StandardOutput}\n{result.StandardError}");
        Directory.Delete(dir, recursive: true);
    }

    [SkippableTheory]
    [MemberData(nameof(Configs))]
    public async Task Yosys_elaborates_the_rtl_without_latches(string config)
    {
        var yosys = ExternalTool.Require("yosys", "yosys");
        var dir = Render(config);
        var reads = string.Join("; ", RtlGenerator.ReadFileList(dir).Select(f => $"read_verilog -I. {f}"));
        var script = $"{reads}; hierarchy -check -top {RtlGenerator.TopModule}; proc; opt_clean; " +
                     "select -assert-none t:$dlatch t:$adlatch t:$dlatchsr t:$_DLATCH_*";

        var result = await Cli.Wrap(yosys).WithArguments(["-p", script])
            .WithWorkingDirectory(dir).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

        Assert.True(result.ExitCode == 0 && !result.StandardOutput.Contains("Latch inferred", StringComparison.Ordinal),
            $"yosys on {config}:\n{result.StandardOutput}\n{result.StandardError}");
        Directory.Delete(dir, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Project_files_name_exactly_the_files_in_the_filelist(string config)
    {
        var files = RtlGenerator.RenderAll(DesignResolver.LoadFile(RepoPaths.Config(config)), "hwgen generate");
        var listed = files[RtlGenerator.FileListName].Split('\n')
            .Where(l => l.EndsWith(".v", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

        static HashSet<string> VerilogNames(string text) =>
            System.Text.RegularExpressions.Regex.Matches(text, @"\b(hwgen_\w+\.v)\b").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(listed);
        Assert.Equal(listed.Order(), VerilogNames(files["vivado.tcl"]).Order());
        Assert.Equal(listed.Order(), VerilogNames(files["hwgen.core"]).Order());
        Assert.Equal(listed.Order(), VerilogNames(files["quartus.qsf"]).Order());
        Assert.True(listed.All(files.ContainsKey), "every listed file is generated");
    }
}
