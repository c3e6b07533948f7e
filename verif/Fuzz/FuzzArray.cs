using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HwGen.Verif.Jobs;

namespace HwGen.Verif;

/// <summary>
/// A fuzz campaign cut into array tasks, one per drawn configuration, run by a job runner (a Slurm job array, or local
/// processes). Task i runs <c>hwgen fuzz-task</c>, which replays the seed's draws up to configuration i, builds it and
/// runs its cases (<see cref="Fuzzer.RunTaskAsync"/>), and writes its <see cref="FuzzConfigOutcome"/> as JSON into the
/// batch folder (<c>array-&lt;runner&gt;/results/&lt;i&gt;.json</c> in the output folder). The submitting process
/// waits, then adds the results up into the same summary a local campaign writes: the same seed and bounds give the
/// same configurations, cases and verdicts. A task whose result is there is never run again, so rerunning the same
/// campaign runs only the tasks that failed or were lost.
/// </summary>
/// <param name="settings">The campaign; <see cref="FuzzSettings.MaxCases"/> or <see cref="FuzzSettings.MaxConfigs"/> must bound it (the duration does not apply).</param>
/// <param name="runner">Runs the tasks.</param>
/// <param name="hwgenCommand">How to start this CLI (the apphost, or <c>dotnet hwgen.dll</c>).</param>
/// <param name="progress">Receives one line per change in the number of finished tasks.</param>
public sealed class FuzzArray(FuzzSettings settings, IJobRunner runner, IReadOnlyList<string> hwgenCommand, IProgress<string>? progress = null)
{
    /// <summary>The hidden CLI command an array task runs.</summary>
    public const string TaskCommand = "fuzz-task";

    /// <summary>The batch folder (absolute): task scripts, logs, exit codes and results.</summary>
    public string BatchDirectory => Path.GetFullPath(Path.Combine(settings.OutputDirectory, "array-" + runner.Name));

    /// <summary>The batch, once <see cref="RunAsync"/> has opened it (for exit codes and logs of unfinished tasks).</summary>
    public JobBatch? Batch { get; private set; }

    /// <summary>
    /// The number of configurations, hence tasks, of a bounded campaign: <c>ceil(cases / cases-per-config)</c>, or the
    /// configuration limit, whichever is smaller.
    /// </summary>
    /// <exception cref="ArgumentException">Neither a case nor a configuration limit is set.</exception>
    public static int ConfigCount(FuzzSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MaxCases <= 0 && settings.MaxConfigs <= 0)
        {
            throw new ArgumentException("an array campaign needs --cases or --configs: its tasks are fixed when it is submitted", nameof(settings));
        }

        var perConfig = Math.Max(1, settings.CasesPerConfig);
        var byCases = settings.MaxCases > 0 ? (settings.MaxCases + perConfig - 1) / perConfig : int.MaxValue;
        return Math.Min(byCases, settings.MaxConfigs > 0 ? settings.MaxConfigs : int.MaxValue);
    }

    /// <summary>Where task <paramref name="index"/> writes its result.</summary>
    public string ResultPath(int index) => Path.Combine(BatchDirectory, "results", index.ToString(CultureInfo.InvariantCulture) + ".json");

    /// <summary>
    /// Opens the batch (or reopens it: a folder holding a different campaign is refused with
    /// <see cref="InvalidOperationException"/> before anything runs), runs every task without a result, waits, and
    /// writes and returns the summary of every task that delivered one; the others are listed in
    /// <see cref="FuzzSummary.UnfinishedTasks"/>.
    /// </summary>
    public async Task<FuzzSummary> RunAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var count = ConfigCount(settings);
        Directory.CreateDirectory(settings.OutputDirectory);
        var batch = JobBatch.Open(BatchDirectory, [.. Enumerable.Range(0, count).Select(Task)]);
        Batch = batch;
        Directory.CreateDirectory(Path.Combine(BatchDirectory, "results"));
        var pending = Enumerable.Range(0, count).Where(i => Read(batch, i) is null).ToList();
        Report(string.Create(CultureInfo.InvariantCulture,
            $"[{clock.Elapsed:hh\\:mm\\:ss}] {count} task(s), one per configuration, in {batch.Directory}: {count - pending.Count} finished earlier, {pending.Count} to run ({runner.Name})"));
        if (pending.Count > 0)
        {
            var last = -1;
            var lines = new LineProgress(done =>
            {
                if (Interlocked.Exchange(ref last, done) != done)
                {
                    Report(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed:hh\\:mm\\:ss}] {runner.Name}: {done} of {pending.Count} task(s) ended"));
                }
            });
            await runner.RunAsync(batch, pending, lines, cancellationToken).ConfigureAwait(false);
        }

        var tally = new FuzzTally();
        var unfinished = new List<int>();
        for (var i = 0; i < count; i++)
        {
            if (Read(batch, i) is { } outcome)
            {
                tally.AddTask(outcome);
            }
            else
            {
                unfinished.Add(i);
            }
        }

        var summary = tally.Summary(settings.Seed, count, clock.Elapsed) with { Runner = runner.Name, ArrayTasks = count, UnfinishedTasks = unfinished };
        var summaryPath = settings.SummaryPath ?? Path.Combine(settings.OutputDirectory, "summary.json");

        // Written even when the wait was cancelled: the tasks that finished are counted, the rest listed as unfinished.
        await File.WriteAllTextAsync(summaryPath, FuzzSummary.ToJson(summary), CancellationToken.None).ConfigureAwait(false);
        return summary with { SummaryPath = summaryPath };
    }

    /// <summary>Writes a task's result where the submitting process looks for it, atomically (a half-written file is never read).</summary>
    public static void WriteResult(string path, FuzzConfigOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(outcome);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(temp, JsonSerializer.Serialize(outcome, CosimReportJson.Options));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Task i's result, or null when it has not exited 0 with a readable result for configuration i.</summary>
    private FuzzConfigOutcome? Read(JobBatch batch, int index)
    {
        var path = ResultPath(index);
        if (batch.ExitCode(index) != 0 || !File.Exists(path))
        {
            return null;
        }

        try
        {
            var outcome = JsonSerializer.Deserialize<FuzzConfigOutcome>(File.ReadAllText(path), CosimReportJson.Options);
            return outcome?.Index == index ? outcome : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Task i's command line: every setting a draw or a verdict depends on, so the task draws what a local run draws.</summary>
    private JobTask Task(int index)
    {
        var inv = CultureInfo.InvariantCulture;
        List<string> args =
        [
            .. hwgenCommand.Skip(1), TaskCommand,
            "--seed", settings.Seed.ToString(inv),
            "--index", index.ToString(inv),
            "--cases-per-config", Math.Max(1, settings.CasesPerConfig).ToString(inv),
            "--cases", settings.MaxCases.ToString(inv),
            "--configs", settings.MaxConfigs.ToString(inv),
            "--fault-percent", settings.FaultPercent.ToString(inv),
            "--max-gemm-dim", settings.MaxGemmDim.ToString(inv),
            "--max-cycles", settings.MaxCycles.ToString(inv),
            "--shrink", settings.Shrink ? "true" : "false",
            "--output", settings.OutputDirectory,
            "--result", ResultPath(index),
        ];
        if (settings.Build.CacheRoot is { } cache)
        {
            args.AddRange(["--cache-root", Path.GetFullPath(cache)]);
        }

        return new JobTask(hwgenCommand[0], args, Environment.CurrentDirectory);
    }

    private void Report(string line) => progress?.Report(line);

    /// <summary>Turns the runner's finished-task counts into lines, synchronously.</summary>
    private sealed class LineProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
