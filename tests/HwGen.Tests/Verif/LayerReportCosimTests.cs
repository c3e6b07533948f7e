using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using HwGen.Generator.Design;
using HwGen.Report;
using HwGen.Software.Compiler;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// The report side of a whole-layer co-simulation: the per-operation table from one run's per-cycle profile, the layer
/// accuracy, the dump, and <c>hwgen sim --plot</c>.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class LayerReportCosimTests(CosimFixture fixture, ITestOutputHelper output) : IDisposable
{
    private static readonly CosimOptions Bounded = new() { MaxCycles = 20_000_000, Watchdog = 500_000 };
    private readonly string scratch = Path.Combine(Path.GetTempPath(), $"hwgen-layer-report-{Environment.ProcessId}-{Guid.NewGuid():N}");

    private static LayerRun Layer(DesignModel design, int seq) =>
        LayerRun.Create(design, QuantizedLayer.Create(LayerSpec.Preset("bert-tiny", seq), seed: (ulong)seq));

    [SkippableFact]
    public async Task One_run_gives_operation_rows_that_add_up_to_the_cycles_with_busy_equal_to_the_array_counter()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var run = Layer(session.Design, 24);

        // Act
        var report = await session.RunAsync(run.Program, Bounded);
        var layer = run.Report(session.Design, report);

        // Assert
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(report.Cycles, layer.Cycles);
        Assert.Equal(report.Cycles, layer.Operations.Sum(o => o.Cycles));
        Assert.Equal(report.Cycles, report.ExecCycles!.Total);
        Assert.Equal((long)report.Counters["array_active"], report.ExecCycles.ArrayActive);
        Assert.Equal(report.ExecCycles, layer.Breakdown);
        Assert.Equal(["q_proj", "k_proj", "v_proj", "qk_softmax", "pv", "out_proj_ln1", "ffn1_gelu", "ffn2_ln2"], layer.Operations.Select(o => o.Name));
        Assert.Equal(2, layer.Operations.Single(o => o.Name == "qk_softmax").Parts.Count);
        Assert.Equal(run.Compiled.Program.Macs, layer.Operations.Sum(o => o.Macs));
        Assert.Equal(report.Utilization, layer.Utilization, 9);
        foreach (var op in layer.Operations)
        {
            Assert.True(op.Cycles > 0, op.Name);
            Assert.True(op.Breakdown.ArrayActive > 0, op.Name);
            Assert.InRange(op.Utilization, 0.01, 1.0);
            Assert.Equal((double)op.Macs / session.Design.Pes / op.Cycles, op.Utilization, 9);
            Assert.True(op.ModelledCycles > 0, op.Name);
        }

        // The normalize unit only stands in the way of operations that end in Softmax or LayerNorm.
        Assert.True(layer.Operations.Single(o => o.Name == "qk_softmax").Breakdown.Normalize > 0);
        Assert.Equal(0, layer.Operations.Single(o => o.Name == "ffn1_gelu").Breakdown.Normalize);
        output.WriteLine(string.Join("\n", layer.Operations.Select(o => string.Create(CultureInfo.InvariantCulture,
            $"{o.Name,-14} {o.Cycles,8} model {o.ModelledCycles,8} util {o.Utilization:P1} {o.Breakdown}"))));
    }

    [SkippableFact]
    public async Task Each_operations_array_busy_cycles_are_exactly_the_rows_its_own_computes_stream()
    {
        // Arrange: the compiler overlaps operations in time, so program-prefix runs no longer isolate one operation.
        // What must still hold exactly, whatever the schedule: a cycle counts as array busy for an operation when one of
        // its computes feeds the array a row (weight-stationary: `rows` rows; output-stationary: `k` steps).
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var run = Layer(session.Design, 24);

        // Act
        var full = run.Report(session.Design, await session.RunAsync(run.Program, Bounded), model: false);
        var perOp = full.Operations.SelectMany(o => o.Parts.Count > 0 ? o.Parts : [o]).ToDictionary(o => o.Name, o => o.Breakdown.ArrayActive);

        // Assert
        long streamed = 0;
        foreach (var op in run.Compiled.Ops)
        {
            var rows = run.Program.Instructions.Skip(op.Start).Take(op.End - op.Start)
                .Where(i => i.Opcode == HwGen.Generator.Isa.Opcode.Compute)
                .Sum(i => i["dataflow"] == 0 ? (long)i.Get64("rows") : (long)i.Get64("k"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{op.Name,-18} streamed {rows,8} profile {perOp[op.Name],8}"));
            Assert.InRange(perOp[op.Name], rows - 2, rows + 2); // a row at an operation boundary may land one cycle late
            streamed += rows;
        }

        Assert.Equal(streamed, full.Operations.Sum(o => o.Breakdown.ArrayActive));
        Assert.Equal(full.Cycles, full.Operations.Sum(o => o.Cycles));
    }

    [SkippableFact]
    public async Task The_report_json_has_the_operation_table_busy_and_idle_causes_and_the_layer_accuracy()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var run = Layer(session.Design, 16);

        // Act
        var report = await session.RunAsync(run.Program, Bounded);
        report = report with { Layer = run.Report(session.Design, report) };
        using var json = JsonDocument.Parse(CosimReportJson.Serialize(report));

        // Assert
        var root = json.RootElement;
        var layer = root.GetProperty("layer");
        Assert.Equal(report.Cycles, layer.GetProperty("cycles").GetInt64());
        Assert.True(layer.GetProperty("modelled_cycles").GetInt64() > 0);
        Assert.True(layer.GetProperty("sim_wall_seconds").GetDouble() > 0);
        var ops = layer.GetProperty("operations").EnumerateArray().ToList();
        Assert.Equal(report.Cycles, ops.Sum(o => o.GetProperty("cycles").GetInt64()));
        foreach (var op in ops)
        {
            foreach (var key in new[] { "name", "count", "instructions", "macs", "ideal_cycles", "utilization", "modelled_cycles", "parts" })
            {
                Assert.True(op.TryGetProperty(key, out _), key);
            }

            var breakdown = op.GetProperty("breakdown");
            Assert.Equal(op.GetProperty("cycles").GetInt64(), ExecCauses.All.Sum(c => breakdown.GetProperty(ExecCauses.Key(c)).GetInt64()));
            Assert.Equal(op.GetProperty("cycles").GetInt64() - breakdown.GetProperty("array_active").GetInt64(), breakdown.GetProperty("array_idle").GetInt64());
        }

        Assert.Equal(report.Cycles, root.GetProperty("exec_cycles").GetProperty("total").GetInt64());
        var accuracy = root.GetProperty("accuracy").EnumerateArray().Where(a => a.GetProperty("kernel").GetString() == "layer").ToList();
        Assert.Equal(["Q", "K", "V", "P", "O", "X1", "H", "Y"], accuracy.Select(a => a.GetProperty("tensor").GetString()));
        var y = accuracy.Single(a => a.GetProperty("tensor").GetString() == "Y");
        Assert.InRange(y.GetProperty("cosine").GetDouble(), 0.98, 1.0);
        Assert.InRange(y.GetProperty("max_abs_lsb").GetDouble(), 0.0, 8.0);
    }

    [SkippableFact]
    public async Task A_layer_dump_holds_every_weight_bias_scale_intermediate_and_float_reference_with_their_shapes()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var run = Layer(session.Design, 16);
        var q = run.Quantized;

        // Act
        var report = await session.RunAsync(run.Program, Bounded with { DumpDirectory = scratch });
        report = report with { Layer = run.Report(session.Design, report) };
        LayerDump.Write(scratch, run, report);

        // Assert
        var expected = new Dictionary<string, (string Dtype, string Shape)>(StringComparer.Ordinal)
        {
            ["X.npy"] = ("|i1", "(16, 128)"),
            ["Wq.npy"] = ("|i1", "(128, 128)"),
            ["W1.npy"] = ("|i1", "(128, 512)"),
            ["W2.npy"] = ("|i1", "(512, 128)"),
            ["bias_q.npy"] = ("<i4", "(128,)"),
            ["bias_1.npy"] = ("<i4", "(512,)"),
            ["gamma_1.npy"] = ("<i2", "(128,)"),
            ["beta_2.npy"] = ("<i4", "(128,)"),
            ["P.rtl.npy"] = ("|i1", "(32, 16)"),
            ["H.golden.npy"] = ("|i1", "(16, 512)"),
            ["Y.rtl.npy"] = ("|i1", "(16, 128)"),
            ["Y.reference.npy"] = ("<f4", "(16, 128)"),
        };
        foreach (var (file, (dtype, shape)) in expected)
        {
            var header = NpyHeader(Path.Combine(scratch, file));
            Assert.Contains($"'descr': '{dtype}'", header, StringComparison.Ordinal);
            Assert.Contains($"'shape': {shape}", header, StringComparison.Ordinal);
        }

        Assert.Equal(q.Gamma1.SelectMany(BitConverter.GetBytes), NpyData(Path.Combine(scratch, "gamma_1.npy")));
        Assert.Equal(q.Bq.SelectMany(BitConverter.GetBytes), NpyData(Path.Combine(scratch, "bias_q.npy")));
        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(scratch, "meta.json")));
        var tensors = meta.RootElement.GetProperty("layer").GetProperty("tensors");
        foreach (var name in new[] { "X", "Wq", "Wk", "Wv", "Wo", "W1", "W2", "bias_q", "bias_k", "bias_v", "bias_o", "bias_1", "bias_2", "gamma_1", "beta_1", "gamma_2", "beta_2", "Q", "K", "V", "P", "O", "X1", "H", "Y" })
        {
            var t = tensors.GetProperty(name);
            Assert.True(t.GetProperty("scale").GetDouble() > 0, name);
            Assert.True(File.Exists(Path.Combine(scratch, t.GetProperty("file").GetString()!)), name);
        }

        Assert.Equal(q.ScaleY, tensors.GetProperty("Y").GetProperty("scale").GetDouble());
        Assert.Equal(q.WeightScales[4], tensors.GetProperty("W1").GetProperty("scale").GetDouble());
        Assert.Equal(q.RequantO.Multiplier, meta.RootElement.GetProperty("layer").GetProperty("requantization").GetProperty("O").GetProperty("multiplier").GetInt64());
        Assert.Equal(report.Cycles, meta.RootElement.GetProperty("report").GetProperty("layer").GetProperty("cycles").GetInt64());
    }

    [SkippableTheory]
    [InlineData("tiny", Dataflow.Ws)]
    [InlineData("tiny", Dataflow.Os)]
    [InlineData("small", Dataflow.Ws)]
    public async Task The_profile_of_a_gemm_adds_up_to_its_cycles_and_counts_the_array_counters_busy_cycles(string config, Dataflow dataflow)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(37, 21, 19, seed: 4), dataflow);

        // Act
        var report = await session.RunAsync(program, new CosimOptions { ReadLatency = 3, StallPercent = 10, Seed = 5 });

        // Assert
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(report.Cycles, report.ExecCycles!.Total);
        Assert.Equal((long)report.Counters["array_active"], report.ExecCycles.ArrayActive);
        Assert.Equal(report.Cycles, report.Profile!.ByInstruction.Values.Sum(r => r.Sum()));
        Assert.All(report.Profile.ByInstruction.Keys, pc => Assert.InRange(pc, 0, program.Length));
        var bar = Assert.Single(OperationPlot.Bars(report));
        Assert.Equal(report.Cycles, bar.Cycles.Total);
    }

    [SkippableFact]
    public async Task The_sim_command_prints_the_operation_table_and_draws_the_plot_png()
    {
        // Arrange
        RequiresVerilator.Check();
        var dll = CliDll();
        Directory.CreateDirectory(scratch);
        var png = Path.Combine(scratch, "plots", "ops.png");
        var json = Path.Combine(scratch, "report.json");

        // Act
        var run = await Hwgen(dll, "sim", "configs/small.yaml", "--workload", "bert-tiny:seq=16", "--plot", png, "--json", json);

        // Assert
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}");
        Assert.Contains("Per operation", run.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"qk_softmax \(x2\)"), run.StandardOutput);
        Assert.Contains("Accuracy", run.StandardOutput, StringComparison.Ordinal);
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 5_000);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(8, report.RootElement.GetProperty("layer").GetProperty("operations").GetArrayLength());
    }

    [SkippableTheory]
    [InlineData("file-as-folder")]
    [InlineData("not-png")]
    [InlineData("folder")]
    public async Task A_bad_plot_path_is_a_clear_error_with_exit_code_2_before_anything_is_simulated_or_overwritten(string kind)
    {
        // Arrange
        RequiresVerilator.Check();
        var dll = CliDll();
        Directory.CreateDirectory(scratch);
        var blocker = Path.Combine(scratch, "blocker.txt");
        await File.WriteAllTextAsync(blocker, "a file, not a folder");
        var json = Path.Combine(scratch, "report.json");
        await File.WriteAllTextAsync(json, "previous report");
        var plot = kind switch
        {
            "file-as-folder" => Path.Combine(blocker, "ops.png"),
            "not-png" => Path.Combine(scratch, "ops.svg"),
            _ => Directory.CreateDirectory(Path.Combine(scratch, "dir.png")).FullName,
        };

        // Act
        var run = await Hwgen(dll, "sim", "configs/small.yaml", "--workload", "bert-tiny:seq=16", "--plot", plot, "--json", json);

        // Assert
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}");
        Assert.Contains("--plot", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("simulating", run.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("previous report", await File.ReadAllTextAsync(json));
        Assert.Equal("a file, not a folder", await File.ReadAllTextAsync(blocker));
    }

    public void Dispose()
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string CliDll()
    {
        var dll = Path.Combine(RepoPaths.Root, "cli", "bin", "Release", "net10.0", "hwgen.dll");
        Skip.If(!File.Exists(dll) && !RequiresVerilator.InCi, "the Release CLI is not built (./build.sh)");
        return dll;
    }

    private static Task<BufferedCommandResult> Hwgen(string dll, params string[] args) =>
        Cli.Wrap("dotnet").WithArguments([dll, .. args]).WithWorkingDirectory(RepoPaths.Root)
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

    private static string NpyHeader(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0x93, bytes[0]);
        Assert.Equal("NUMPY", Encoding.ASCII.GetString(bytes, 1, 5));
        return Encoding.ASCII.GetString(bytes, 10, BitConverter.ToUInt16(bytes, 8));
    }

    private static byte[] NpyData(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes[(10 + BitConverter.ToUInt16(bytes, 8))..];
    }
}
