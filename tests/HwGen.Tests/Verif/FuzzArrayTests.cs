using System.Collections.Concurrent;
using System.Text.Json;
using HwGen.Tests.CommandLine;
using HwGen.Verif;
using HwGen.Verif.Jobs;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// <c>hwgen fuzz --slurm</c>: a campaign cut into one array task per configuration gives the verdicts of the same
/// campaign run in-process, reports a failed task by index, and a rerun runs only that task.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class FuzzArrayTests(ITestOutputHelper output)
{
    // A fixed folder: the drawn RTL's banner names it, so the harness cache serves later runs of this test.
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "hwgen-fuzz-array-test");

    [Fact]
    public void A_campaign_bounded_by_cases_gives_each_configuration_its_share_and_one_task_each()
    {
        // Arrange
        var settings = new FuzzSettings { CasesPerConfig = 250, MaxCases = 2000 };
        var uneven = settings with { MaxCases = 510 };
        var byConfigs = settings with { MaxCases = 0, MaxConfigs = 3 };

        // Act
        var quotas = Enumerable.Range(0, 4).Select(i => Fuzzer.Quota(uneven, i)).ToList();

        // Assert
        Assert.Equal(8, FuzzArray.ConfigCount(settings));
        Assert.Equal(3, FuzzArray.ConfigCount(uneven));
        Assert.Equal([250, 250, 10, 0], quotas);
        Assert.Equal(3, FuzzArray.ConfigCount(byConfigs));
        Assert.Equal(0, Fuzzer.Quota(byConfigs, 3));
        Assert.Throws<ArgumentException>(() => FuzzArray.ConfigCount(new FuzzSettings()));
    }

    [SkippableFact]
    public async Task A_tiny_campaign_through_a_real_Slurm_gives_the_local_verdicts_and_a_rerun_runs_only_the_failed_task()
    {
        // Arrange: seed 1 draws two small designs (3x6 and 7x3); 3 + 2 cases. Task 1 cannot write its result the
        // first time (a folder sits where its JSON goes), so it fails; the rerun after the folder is gone runs only it.
        RequiresVerilator.Check();
        await RequiresSlurm.Check();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        var settings = new FuzzSettings
        {
            Seed = 1,
            CasesPerConfig = 3,
            MaxCases = 5,
            Jobs = 2,
            Duration = TimeSpan.FromMinutes(30),
            OutputDirectory = Folder,
            Build = new HarnessBuildOptions { CacheRoot = Path.Combine(RepoPaths.Root, ".hwgen-cache"), ExtraFlags = HarnessBuildOptions.EnvironmentExtraFlags() },
        };
        var slurm = new SlurmJobRunner(new SlurmOptions { JobName = "hwgen-test", PollInterval = TimeSpan.FromMilliseconds(500) });
        FuzzArray Array() => new(settings with { SummaryPath = Path.Combine(Folder, "slurm.json") }, slurm, ["dotnet", CliRunner.Dll], new Lines(output));
        var local = new ConcurrentDictionary<int, FuzzConfigOutcome>();
        var blocker = Array().ResultPath(1);
        Directory.CreateDirectory(blocker);

        // Act
        var inProcess = await new Fuzzer(settings with { SummaryPath = Path.Combine(Folder, "local.json") }, new Lines(output))
        {
            ConfigurationDone = o => local[o.Index] = o,
        }.RunAsync();
        var first = Array();
        var withFailure = await first.RunAsync();
        var firstExit = first.Batch!.ExitCode(1);
        var task0Written = File.GetLastWriteTimeUtc(first.ResultPath(0));
        Directory.Delete(blocker);
        var rerun = await Array().RunAsync();

        // Assert
        Assert.Equal([1], withFailure.UnfinishedTasks);
        Assert.NotEqual(0, firstExit);
        Assert.Equal(3, withFailure.Cases);
        Assert.Empty(rerun.UnfinishedTasks);
        Assert.Equal(task0Written, File.GetLastWriteTimeUtc(first.ResultPath(0))); // task 0 was not run again
        Assert.Equal(2, rerun.ArrayTasks);
        Assert.Equal("slurm", rerun.Runner);
        Assert.Equal(2, local.Count);
        for (var i = 0; i < 2; i++)
        {
            var remote = JsonSerializer.Deserialize<FuzzConfigOutcome>(await File.ReadAllTextAsync(first.ResultPath(i)), CosimReportJson.Options)!;
            Assert.Equal(Verdicts(local[i]), Verdicts(remote));
            Assert.Equal(local[i].Features, remote.Features);
        }

        Assert.Equal(5, rerun.Cases);
        Assert.Equal(inProcess.Cases, rerun.Cases);
        Assert.Equal(inProcess.Cycles, rerun.Cycles);
        Assert.Equal(inProcess.Mismatches, rerun.Mismatches);
        Assert.Equal(inProcess.Hangs, rerun.Hangs);
        Assert.Equal(inProcess.CasesByKind, rerun.CasesByKind);
        Assert.Equal(inProcess.GoldenFaults, rerun.GoldenFaults);
        Assert.Equal(inProcess.ConfigFeatures, rerun.ConfigFeatures);
    }

    /// <summary>Each case as drawn, with its verdict, cycles, fault and reason, in drawing order.</summary>
    private static List<string> Verdicts(FuzzConfigOutcome o) =>
        [.. o.Results.Select(r => $"{Fuzzer.Describe(r.Case)} fault_pick={r.Case.FaultPick}: {r.Verdict} {r.Cycles} cycles, golden {r.GoldenFault}, expected hang {r.ExpectedHang}: {r.Summary}")];

    /// <summary>Writes progress lines to the test output, one at a time.</summary>
    private sealed class Lines(ITestOutputHelper output) : IProgress<string>
    {
        private readonly Lock gate = new();

        public void Report(string value)
        {
            lock (gate)
            {
                output.WriteLine(value);
            }
        }
    }
}
