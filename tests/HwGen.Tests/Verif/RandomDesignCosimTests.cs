using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// Randomized differential testing in the suite: a fixed seed draws three configurations (rows and
/// columns 2..16, tiles, dataflow, small memories, AXI widths, queues, outstanding bursts, units and
/// lean options) and four workloads of any kind with random AXI latency, backpressure and sometimes
/// an injected fault on each; the RTL must match the golden model. <c>./hwgen fuzz</c> runs the same
/// for as long as asked.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class RandomDesignCosimTests(ITestOutputHelper output) : IDisposable
{
    private readonly string scratch = Path.Combine(Path.GetTempPath(), $"hwgen-fuzz-test-{Environment.ProcessId}-{Guid.NewGuid():N}");

    private static HarnessBuildOptions Build => new()
    {
        CacheRoot = Path.Combine(RepoPaths.Root, ".hwgen-cache"),
        ExtraFlags = HarnessBuildOptions.EnvironmentExtraFlags(),
    };

    [SkippableFact]
    public async Task Random_configurations_and_workloads_from_a_fixed_seed_match_the_golden_model()
    {
        // Arrange
        RequiresVerilator.Check();
        var fuzzer = new Fuzzer(new FuzzSettings
        {
            Seed = 20241124,
            MaxConfigs = 3,
            CasesPerConfig = 4,
            Duration = TimeSpan.FromMinutes(30),
            OutputDirectory = scratch,
            Build = Build,
        }, new SyncProgress(output.WriteLine));

        // Act
        var summary = await fuzzer.RunAsync();

        // Assert
        Assert.Equal(3, summary.Configs);
        Assert.Equal(12, summary.Cases);
        Assert.True(summary.Ok, string.Join("\n", summary.Failures.Select(f => $"{f.Shrunk.Summary}: {f.Shrunk.Case.ReproCommand}")));
        Assert.Equal(0, summary.BuildFailures);
    }

    [Fact]
    public void The_same_seed_draws_the_same_configurations_and_cases()
    {
        // Arrange
        var a = new SeededRandom(5);
        var b = new SeededRandom(5);

        // Act
        var (yamlA, designA) = Fuzzer.DrawConfig(a, "x");
        var (yamlB, _) = Fuzzer.DrawConfig(b, "x");
        var caseA = Fuzzer.DrawCase(a, designA, "fuzz-out/x.yaml");
        var caseB = Fuzzer.DrawCase(b, designA, "fuzz-out/x.yaml");

        // Assert
        Assert.Equal(yamlA, yamlB);
        Assert.Equal(caseA, caseB);
        Assert.StartsWith("./hwgen sim fuzz-out/x.yaml --workload ", caseA.ReproCommand, StringComparison.Ordinal);
        Assert.Contains("--seed ", caseA.ReproCommand, StringComparison.Ordinal);
    }

    [Fact]
    public void Drawn_configurations_are_valid_and_span_non_square_arrays_dataflows_and_bus_widths()
    {
        // Arrange
        var rng = new SeededRandom(11);

        // Act
        var designs = Enumerable.Range(0, 60).Select(i => Fuzzer.DrawConfig(rng, $"c{i}").Design).ToList();

        // Assert
        Assert.All(designs, d => Assert.InRange(d.Rows, 2, 16));
        Assert.All(designs, d => Assert.Equal(0, d.Rows % d.TileRows));
        Assert.Contains(designs, d => d.Rows != d.Cols);
        Assert.Contains(designs, d => d.SupportWs && !d.SupportOs);
        Assert.Contains(designs, d => !d.SupportWs && d.SupportOs);
        Assert.Contains(designs, d => d.SupportWs && d.SupportOs);
        Assert.Equal([32, 64, 128, 256], designs.Select(d => d.AxiDataBits).Distinct().Order());
    }

    [SkippableFact]
    public async Task A_failing_fuzz_case_is_shrunk_and_keeps_a_reproducing_command()
    {
        // Arrange: a cycle budget no GEMM of this size meets makes every case fail (as a timeout).
        RequiresVerilator.Check();
        var design = DesignResolver.LoadFile(RepoPaths.Config("tiny"));
        var dir = Path.Combine(scratch, "tiny");
        RtlGenerator.Generate(design, dir, "hwgen generate configs/tiny.yaml");
        var session = new CosimSession(design, dir, Build);
        var fuzzer = new Fuzzer(new FuzzSettings { MaxCycles = 300, OutputDirectory = scratch, Build = Build });
        var c = new FuzzCase("configs/tiny.yaml", "gemm:M=40,N=24,K=32", Dataflow.Ws, 3, 4, 30, 5);

        // Act
        var failing = await fuzzer.RunCaseAsync(session, c);
        var shrunk = await fuzzer.ShrinkAsync(session, failing);

        // Assert
        Assert.Equal(FuzzVerdict.Hang, failing.Verdict);
        Assert.True(shrunk.Failed);
        static long Volume(FuzzCase x) => WorkloadSpec.Parse(x.Workload) is var w ? w.Get("M") * w.Get("N") * w.Get("K") : 0;
        Assert.True(Volume(shrunk.Case) < Volume(c), shrunk.ReproCommand);
        var s = shrunk.Case;
        Assert.Equal($"./hwgen sim configs/tiny.yaml --workload {s.Workload} --dataflow ws --seed 3 --latency {s.Latency} --stall-pct {s.StallPercent} --jitter {s.Jitter}", shrunk.ReproCommand);
    }

    public void Dispose()
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private sealed class SyncProgress(Action<string> write) : IProgress<string>
    {
        public void Report(string value) => write(value);
    }
}
