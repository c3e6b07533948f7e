using System.Text.Json;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>The fuzzer with two jobs: its JSON summary, and the same cases as one job draws from the same seed.</summary>
[Collection(CosimGroup.Name)]
public sealed class ParallelFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string scratch = Path.Combine(Path.GetTempPath(), $"hwgen-pfuzz-test-{Environment.ProcessId}-{Guid.NewGuid():N}");

    private FuzzSettings Settings(int jobs, string folder) => new()
    {
        Seed = 424242,
        MaxConfigs = 2,
        CasesPerConfig = 2,
        Jobs = jobs,
        Duration = TimeSpan.FromMinutes(30),
        OutputDirectory = Path.Combine(scratch, folder),
        SummaryPath = Path.Combine(scratch, folder + ".json"),
        Build = new HarnessBuildOptions
        {
            CacheRoot = Path.Combine(RepoPaths.Root, ".hwgen-cache"),
            ExtraFlags = HarnessBuildOptions.EnvironmentExtraFlags(),
        },
    };

    [SkippableFact]
    public async Task Two_jobs_run_every_drawn_case_write_a_JSON_summary_and_draw_what_one_job_draws()
    {
        // Arrange
        RequiresVerilator.Check();

        // Act
        var parallel = await new Fuzzer(Settings(2, "two"), new SyncProgress(output.WriteLine)).RunAsync();
        var serial = await new Fuzzer(Settings(1, "one"), new SyncProgress(output.WriteLine)).RunAsync();
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(scratch, "two.json")));
        var root = json.RootElement;

        // Assert
        Assert.True(parallel.Ok, string.Join("\n", parallel.Failures.Select(f => $"{f.Shrunk.Summary}: {f.Shrunk.Case.ReproCommand}")));
        Assert.Equal(2, parallel.Jobs);
        Assert.Equal(4, parallel.Cases);
        Assert.Equal(4, root.GetProperty("cases").GetInt32());
        Assert.Equal(2, root.GetProperty("configs").GetInt32());
        Assert.Equal(424242UL, root.GetProperty("seed").GetUInt64());
        Assert.Equal(0, root.GetProperty("mismatches").GetInt32());
        Assert.Equal(0, root.GetProperty("hangs").GetInt32());
        Assert.Equal(0, root.GetProperty("reference_mismatches").GetInt32());
        Assert.Equal(4, root.GetProperty("cases_by_kind").EnumerateObject().Sum(p => p.Value.GetInt32()));
        Assert.Equal(2, root.GetProperty("config_features").EnumerateObject().Where(p => p.Name.StartsWith("dataflow_", StringComparison.Ordinal)).Sum(p => p.Value.GetInt32()));
        Assert.Equal(serial.CasesByKind, parallel.CasesByKind);
        Assert.Equal(serial.ConfigFeatures, parallel.ConfigFeatures);
        Assert.Equal(serial.Cycles, parallel.Cycles);
    }

    /// <summary>Writes progress lines as they come, one at a time (two jobs report concurrently).</summary>
    private sealed class SyncProgress(Action<string> write) : IProgress<string>
    {
        private readonly Lock gate = new();

        public void Report(string value)
        {
            lock (gate)
            {
                write(value);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
