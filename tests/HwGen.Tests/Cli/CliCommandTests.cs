using System.Text.Json;
using CliWrap.Buffered;
using HwGen.Tests.Rtl;
using HwGen.Tests.Verif;
using HwGen.Verif;

namespace HwGen.Tests.CommandLine;

/// <summary>
/// Every command and every flag the README lists, run as `dotnet hwgen.dll` from the repository
/// root, and every exit code: 0, 1 (RTL broken through HWGEN_VERILATOR_EXTRA), 2 (elsewhere),
/// 3 (a tool missing from PATH), 4, 5 (timeout and watchdog). Simulations use the tiny
/// configuration and 4x4x4 GEMMs; they share the co-simulation collection so only one runs at a time.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class CliCommandTests : IDisposable
{
    private readonly string scratch = Path.Combine(Path.GetTempPath(), $"hwgen-clicmd-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public CliCommandTests() => Directory.CreateDirectory(scratch);

    private static Task<CliRun> Hwgen(params string[] args) => CliRunner.ProcessAsync(args, RepoPaths.Root);

    private static JsonElement Json(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Generate_renders_the_rtl_filelist_header_and_resolved_config_into_the_output_folder()
    {
        // Arrange
        var output = Path.Combine(scratch, "rtl");

        // Act
        var run = await Hwgen("generate", "configs/tiny.yaml", "--output", output);

        // Assert
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.All(new[] { "hwgen_top.v", "filelist.f", "hwgen.h", "config.yaml", "hwgen.core", "manifest.json" }, f => Assert.True(File.Exists(Path.Combine(output, f)), f));
        Assert.Contains("generated", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Isa_doc_prints_the_isa_reference_that_docs_isa_md_holds()
    {
        // Act
        var run = await Hwgen("isa-doc");

        // Assert
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "isa.md")).ReplaceLineEndings("\n"), run.Out.ReplaceLineEndings("\n"));
    }

    [SkippableFact]
    public async Task Sim_with_every_output_and_memory_flag_passes_and_writes_each_output()
    {
        // Arrange
        RequiresVerilator.Check();
        var (json, dump, plot, fst) = (Path.Combine(scratch, "r.json"), Path.Combine(scratch, "dump"), Path.Combine(scratch, "plots", "p.png"), Path.Combine(scratch, "waves", "w.fst"));

        // Act
        var run = await Hwgen("sim", "configs/tiny.yaml", "--workload", "gemm:M=4,N=4,K=4", "--dataflow", "os", "--seed", "5",
            "--latency", "3", "--stall-pct", "30", "--jitter", "2", "--max-cycles", "1000000", "--watchdog", "5000",
            "--json", json, "--dump", dump, "--plot", plot, "--trace", "--trace-file", fst);

        // Assert
        Assert.True(run.ExitCode == 0, run.ToString());
        var report = Json(json);
        Assert.True(report.GetProperty("match").GetBoolean());
        Assert.Equal("done", report.GetProperty("status").GetString());
        Assert.Equal(3, report.GetProperty("memory").GetProperty("read_latency").GetInt32());
        Assert.True(File.Exists(Path.Combine(dump, "meta.json")), "meta.json");
        Assert.NotEmpty(Directory.GetFiles(dump, "*.npy"));
        Assert.True(new FileInfo(fst).Length > 1000, "the FST waveform is empty");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(plot)[..4]);
    }

    [SkippableFact]
    public async Task Sim_that_runs_out_of_max_cycles_exits_5_with_a_timeout_status()
    {
        // Arrange
        RequiresVerilator.Check();
        var json = Path.Combine(scratch, "r.json");

        // Act
        var run = await Hwgen("sim", "configs/tiny.yaml", "--workload", "gemm:M=4,N=4,K=4", "--max-cycles", "20", "--json", json);

        // Assert
        Assert.True(run.ExitCode == 5, run.ToString());
        Assert.Equal("timeout", Json(json).GetProperty("status").GetString());
    }

    [SkippableFact]
    public async Task Sim_of_a_program_stuck_on_a_token_exits_5_after_the_watchdog_cycles()
    {
        // Arrange
        RequiresVerilator.Check();
        var json = Path.Combine(scratch, "r.json");

        // Act
        var run = await Hwgen("sim", "configs/tiny.yaml", "--program", "examples/programs/hang_missing_token.s", "--watchdog", "300", "--json", json);

        // Assert
        Assert.True(run.ExitCode == 5, run.ToString());
        var report = Json(json);
        Assert.Equal("hang", report.GetProperty("status").GetString());
        Assert.InRange(report.GetProperty("cycles").GetInt64(), 300, 5_000);
    }

    [SkippableFact]
    public async Task Sim_of_a_faulting_program_exits_4_when_rtl_and_golden_agree_on_the_fault()
    {
        // Arrange
        RequiresVerilator.Check();

        // Act
        var run = await Hwgen("sim", "configs/tiny.yaml", "--program", "examples/programs/fault_sp_range.s");

        // Assert
        Assert.True(run.ExitCode == 4, run.ToString());
        Assert.Contains("FAULT", run.Out, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Sim_exits_1_when_the_rtl_is_built_without_the_gelu_unit_the_golden_model_uses()
    {
        // Arrange: the escape hatch for extra Verilator flags overrides a top-level parameter (its own cache entry).
        RequiresVerilator.Check();
        var json = Path.Combine(scratch, "r.json");

        // Act
        var run = await CliRunner.ProcessAsync(["sim", "configs/tiny.yaml", "--workload", "gemm+gelu:M=4,N=4,K=4", "--json", json], RepoPaths.Root,
            new Dictionary<string, string?> { ["HWGEN_VERILATOR_EXTRA"] = "-GUNIT_GELU=0" });

        // Assert
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.False(Json(json).GetProperty("match").GetBoolean());
        Assert.Contains("MISMATCH", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sim", "verilator")]
    [InlineData("synth", "yosys")]
    public async Task A_tool_missing_from_path_is_exit_3_naming_the_tool(string command, string tool)
    {
        // Arrange: PATH holds only an empty folder, and the child runs dotnet by its full path.
        var empty = Path.Combine(scratch, "empty-path");
        Directory.CreateDirectory(empty);
        var dotnet = Toolchain.FindOnPath("dotnet") ?? Environment.ProcessPath!;
        string[] args = command == "sim" ? ["sim", "configs/tiny.yaml", "--workload", "gemm:M=4,N=4,K=4"] : ["synth", "configs/tiny.yaml", "--output", Path.Combine(scratch, "rtl")];

        // Act
        var result = await CliWrap.Cli.Wrap(dotnet).WithArguments([CliRunner.Dll, .. args]).WithWorkingDirectory(RepoPaths.Root)
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["PATH"] = empty, ["HWGEN_VERILATOR"] = null, ["DOTNET_ROOT"] = Path.GetDirectoryName(dotnet) })
            .WithValidation(CliWrap.CommandResultValidation.None).ExecuteBufferedAsync();
        var run = new CliRun(result.ExitCode, result.StandardOutput, result.StandardError);

        // Assert
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains(tool, run.Error, StringComparison.OrdinalIgnoreCase);
        Assert.False(run.ShowsStackTrace, run.ToString());
    }

    [SkippableTheory]
    [InlineData("xilinx")]
    [InlineData("generic")]
    public async Task Synth_runs_yosys_on_the_smallest_config_and_writes_the_resource_figures(string target)
    {
        // Arrange
        ExternalTool.Require("yosys", "yosys");
        var json = Path.Combine(scratch, "synth.json");

        // Act
        // configs/ice40.yaml, not tiny: generic synthesis maps tiny's 8 KiB of memories to flip-flops and takes over ten minutes.
        var run = await Hwgen("synth", "configs/ice40.yaml", "--target", target, "--output", Path.Combine(scratch, "rtl"), "--json", json);

        // Assert
        Assert.True(run.ExitCode == 0, run.ToString());
        var figures = Json(json);
        Assert.Equal(target, figures.GetProperty("target").GetString());
        Assert.True(figures.GetProperty(target == "xilinx" ? "luts" : "ffs").GetInt64() > 1000, figures.ToString());
        Assert.Equal(0, figures.GetProperty("latches").GetInt64());
    }

    [SkippableFact]
    public async Task Fuzz_runs_a_few_seeded_cases_against_the_golden_model_and_passes()
    {
        // Arrange
        RequiresVerilator.Check();
        var output = Path.Combine(scratch, "fuzz");

        // Act
        var run = await Hwgen("fuzz", "--minutes", "30", "--configs", "1", "--seed", "3", "--cases-per-config", "2", "--output", output);

        // Assert
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"fuzz summary \(seed 3\): [1-9]\d* cases on 1 configurations.*; 0 mismatches \(0 golden vs reference\), 0 hangs, 0 build failures", run.Out);
        var summary = Json(Path.Combine(output, "summary.json"));
        Assert.Equal(0, summary.GetProperty("mismatches").GetInt64());
        Assert.Equal(0, summary.GetProperty("reference_mismatches").GetInt64());
    }

    [Fact]
    public async Task Generating_in_two_checkout_folders_gives_byte_identical_files_that_name_neither_folder()
    {
        // Arrange: two "checkouts" with the same configuration, one typed relative, one absolute.
        var trees = new List<string>();
        foreach (var (name, absolute) in new[] { ("checkout-a", false), ("checkout-b", true) })
        {
            var root = Path.Combine(scratch, name);
            Directory.CreateDirectory(Path.Combine(root, "configs"));
            File.Copy(RepoPaths.Config("tiny"), Path.Combine(root, "configs", "tiny.yaml"));
            var config = absolute ? Path.Combine(root, "configs", "tiny.yaml") : "configs/tiny.yaml";

            // Act
            var run = await CliRunner.ProcessAsync(["generate", config], root);
            Assert.True(run.ExitCode == 0, run.ToString());
            trees.Add(Path.Combine(root, "rtl-out", "tiny"));
        }

        // Assert
        var files = Directory.GetFiles(trees[0], "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(trees[0], f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, Directory.GetFiles(trees[1], "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(trees[1], f)).Order(StringComparer.Ordinal));
        Assert.True(files.Count > 20, $"{files.Count} files");
        foreach (var file in files)
        {
            var a = File.ReadAllBytes(Path.Combine(trees[0], file));
            Assert.True(a.SequenceEqual(File.ReadAllBytes(Path.Combine(trees[1], file))), $"{file} differs between the two folders");
            var text = System.Text.Encoding.UTF8.GetString(a);
            Assert.DoesNotContain(scratch, text, StringComparison.Ordinal);
            Assert.DoesNotContain(RepoPaths.Root, text, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task Two_sim_runs_give_identical_reports_apart_from_wall_clock_fields_and_name_no_checkout_folder()
    {
        // Arrange
        RequiresVerilator.Check();
        var relative = Path.GetRelativePath(RepoPaths.Root, scratch);
        var reports = new List<string>();

        for (var i = 0; i < 2; i++)
        {
            // Act
            var json = Path.Combine(relative, $"r{i}.json");
            var run = await Hwgen("sim", "configs/tiny.yaml", "--workload", "gemm:M=4,N=4,K=4", "--stall-pct", "20", "--json", json, "--dump", Path.Combine(relative, "dump"));
            Assert.True(run.ExitCode == 0, run.ToString());
            reports.Add(File.ReadAllText(Path.Combine(RepoPaths.Root, json)));
        }

        // Assert
        static string WithoutWallClock(string json) => System.Text.RegularExpressions.Regex.Replace(json, "\"(sim_wall_seconds|cycles_per_second)\": [0-9.eE+-]+", "\"$1\": 0");
        Assert.Equal(WithoutWallClock(reports[0]), WithoutWallClock(reports[1]));
        Assert.DoesNotContain(RepoPaths.Root, reports[0], StringComparison.Ordinal);
        Assert.DoesNotContain(RepoPaths.Root, File.ReadAllText(Path.Combine(scratch, "dump", "meta.json")), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
