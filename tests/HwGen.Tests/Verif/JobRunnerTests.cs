using System.Text.Json;
using HwGen.Tests.CommandLine;
using HwGen.Verif.Jobs;

namespace HwGen.Tests.Verif;

/// <summary>
/// The job layer sweeps and fuzz campaigns scale out on: a batch folder, local processes, and a real Slurm job array
/// (CI starts a one-node Slurm with .ci/slurm.sh; elsewhere the Slurm tests skip unless CI=true).
/// </summary>
public sealed class JobRunnerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hwgen-jobs-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task A_task_gets_its_arguments_exactly_however_they_are_quoted()
    {
        // Arrange
        string[] args = ["plain", "two words", "it's", "$HOME", "a\"b", "*", ""];
        var batch = JobBatch.Open(Path.Combine(dir, "b"), [new JobTask("printf", ["%s|", .. args], dir)]);

        // Act
        var report = await new LocalJobRunner(1).RunAsync(batch, batch.Unfinished());

        // Assert
        Assert.True(report.AllSucceeded);
        Assert.Equal(string.Join("", args.Select(a => a + "|")), await File.ReadAllTextAsync(batch.LogPath(0)));
    }

    [Fact]
    public async Task Failed_tasks_are_reported_with_their_exit_codes_and_a_rerun_runs_only_what_did_not_finish()
    {
        // Arrange: task 1 fails until a flag file exists; task 2 exits 3; every run appends to a counter file.
        var flag = Path.Combine(dir, "flag");
        JobTask Task(string script) => new("sh", ["-c", $"echo x >> runs.$0; {script}", "t" + script.Length], dir);
        var tasks = new[] { Task("true"), Task($"test -f '{flag}'"), Task("exit 3"), Task("echo ok") };
        var batch = JobBatch.Open(Path.Combine(dir, "b"), tasks);

        // Act
        var first = await new LocalJobRunner(2).RunAsync(batch, batch.Unfinished());
        await File.WriteAllTextAsync(flag, "");
        var reopened = JobBatch.Open(Path.Combine(dir, "b"), tasks);
        var pending = reopened.Unfinished();
        var second = await new LocalJobRunner(2).RunAsync(reopened, pending);

        // Assert
        Assert.Equal([0, 3], first.Succeeded);
        Assert.Equal(new Dictionary<int, int> { [1] = 1, [2] = 3 }, first.Failed);
        Assert.Empty(first.Lost);
        Assert.Equal([1, 2], first.ToResubmit);
        Assert.Equal([1, 2], pending);
        Assert.Equal([1], second.Succeeded);
        Assert.Equal([2], second.Failed.Keys);
        Assert.Single(File.ReadAllLines(Path.Combine(dir, "runs.t4"))); // "true" ran once, not again
    }

    [Fact]
    public void Reopening_a_folder_that_holds_a_different_batch_is_refused()
    {
        // Arrange
        JobBatch.Open(Path.Combine(dir, "b"), [new JobTask("true", [], dir)]);

        // Act
        var ex = Assert.Throws<InvalidOperationException>(() => JobBatch.Open(Path.Combine(dir, "b"), [new JobTask("false", [], dir)]));

        // Assert
        Assert.Contains("different batch", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData(new[] { 0, 1, 2, 3, 7, 9, 10 }, "0-3,7,9-10")]
    [InlineData(new[] { 5 }, "5")]
    public void Slurm_array_ranges_are_compressed(int[] indices, string expected) =>
        Assert.Equal(expected, SlurmJobRunner.ArrayRanges(indices));

    [SkippableFact]
    public async Task A_small_sweep_through_a_real_Slurm_gives_the_same_results_as_the_local_run()
    {
        // Arrange: three co-simulations and one bad workload (exit 2), as a sweep would submit them.
        await RequiresSlurm.Check();
        string[] workloads = ["gemm:M=8,N=8,K=8", "gemm:M=20,N=12,K=36", "gemm:M=16,N=16,K=16,relu=1", "gemm:M=0,N=1,K=1"];
        IReadOnlyList<JobTask> Sweep(string name) => [.. workloads.Select((w, i) => new JobTask("dotnet",
            [CliRunner.Dll, "sim", RepoPaths.Config("tiny"), "--workload", w, "--json", Path.Combine(dir, $"{name}-{i}.json")], RepoPaths.Root))];
        var local = JobBatch.Open(Path.Combine(dir, "local"), Sweep("local"));
        var slurm = JobBatch.Open(Path.Combine(dir, "slurm"), Sweep("slurm"));
        var runner = new SlurmJobRunner(new SlurmOptions { JobName = "hwgen-test", PollInterval = TimeSpan.FromMilliseconds(500) });

        // Act
        var onLocal = await new LocalJobRunner(2).RunAsync(local, local.Unfinished());
        var onSlurm = await runner.RunAsync(slurm, slurm.Unfinished());
        var again = await runner.RunAsync(slurm, onSlurm.ToResubmit);

        // Assert
        Assert.True(onLocal.Succeeded.SequenceEqual(onSlurm.Succeeded), Explain(local, onLocal) + Explain(slurm, onSlurm));
        Assert.Equal(new Dictionary<int, int> { [3] = 2 }, onSlurm.Failed);
        Assert.Equal(onLocal.Failed, onSlurm.Failed);
        Assert.Empty(onSlurm.Lost);
        Assert.Equal([3], again.Failed.Keys); // a resubmitted task runs again (and fails the same way)
        foreach (var i in onLocal.Succeeded)
        {
            using var a = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, $"local-{i}.json")));
            using var b = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, $"slurm-{i}.json")));
            Assert.True(a.RootElement.GetProperty("match").GetBoolean());
            Assert.Equal(a.RootElement.GetProperty("cycles").GetInt64(), b.RootElement.GetProperty("cycles").GetInt64());
            Assert.Equal(a.RootElement.GetProperty("match").GetBoolean(), b.RootElement.GetProperty("match").GetBoolean());
        }
    }

    private static string Explain(JobBatch batch, JobReport report) =>
        $"{batch.Directory}: ok [{string.Join(",", report.Succeeded)}] failed [{string.Join(",", report.Failed)}] lost [{string.Join(",", report.Lost)}]\n" +
        string.Join("\n", Enumerable.Range(0, batch.Count).Select(i => $"task {i}: " +
            (File.Exists(batch.LogPath(i)) ? string.Join(" / ", File.ReadLines(batch.LogPath(i)).TakeLast(3)) : "no log"))) + "\n" +
        string.Join("\n", Directory.GetFiles(Path.Combine(batch.Directory, "logs"), "slurm-*").Select(f => Path.GetFileName(f) + ": " + File.ReadAllText(f).Trim())) + "\n";
}
