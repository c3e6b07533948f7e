using System.Globalization;
using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace HwGen.Verif.Jobs;

/// <summary>
/// Runs a batch's tasks as Slurm job arrays through <c>sbatch</c>, waits with <c>squeue</c> until they have left the
/// queue, and reads each task's outcome from the batch folder (which must be on a file system the nodes share). Task
/// indices at or above the cluster's <c>MaxArraySize</c> go in further arrays with an offset. Cancelling the wait runs
/// <c>scancel</c> on the arrays.
/// </summary>
public sealed class SlurmJobRunner(SlurmOptions options) : IJobRunner
{
    /// <inheritdoc/>
    public string Name => "slurm";

    /// <summary>True when <c>sbatch</c>, <c>squeue</c> and <c>scontrol</c> are on PATH.</summary>
    public static bool Available => Tools.All(t => Toolchain.FindOnPath(t) is not null);

    private static readonly string[] Tools = ["sbatch", "squeue", "scontrol", "scancel"];

    /// <summary>
    /// Asks Slurm, before any work, whether it would take an array with <paramref name="options"/>: the tools are on
    /// PATH and <c>sbatch --test-only</c> (which submits nothing) accepts the partition and extra arguments, which also
    /// needs the controller to answer. Returns the problem as one line, or null.
    /// </summary>
    public static async Task<string?> CheckAsync(SlurmOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Available)
        {
            return "sbatch, squeue, scontrol or scancel is not on PATH (apt-get install slurm-wlm; a test cluster: .ci/slurm.sh start)";
        }

        List<string> args = ["--test-only", "--job-name=" + options.JobName, "--cpus-per-task=" + options.CpusPerTask.ToString(CultureInfo.InvariantCulture)];
        if (!string.IsNullOrEmpty(options.Partition))
        {
            args.Add("--partition=" + options.Partition);
        }

        args.AddRange(options.ExtraArguments);
        args.Add("--wrap=true");
        var result = await Cli.Wrap("sbatch").WithArguments(args).WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? null : $"sbatch refused a test submission: {FirstLine(result.StandardError)} (sinfo lists the partitions; a test cluster: .ci/slurm.sh start)";
    }

    /// <inheritdoc/>
    public async Task<JobReport> RunAsync(JobBatch batch, IReadOnlyList<int> tasks, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0)
        {
            return JobReport.Read(batch, tasks);
        }

        foreach (var i in tasks)
        {
            batch.Reset(i);
        }

        var chunk = await MaxArraySizeAsync(cancellationToken).ConfigureAwait(false);
        var jobs = new List<string>();
        try
        {
            foreach (var group in tasks.Order().GroupBy(i => i / chunk))
            {
                var offset = group.Key * chunk;
                jobs.Add(await SubmitAsync(batch, offset, [.. group.Select(i => i - offset)], cancellationToken).ConfigureAwait(false));
            }

            while (await QueuedAsync(jobs, cancellationToken).ConfigureAwait(false))
            {
                progress?.Report(tasks.Count(i => batch.ExitCode(i) is not null));
                await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (jobs.Count > 0)
            {
                await Cli.Wrap("scancel").WithArguments(jobs).WithValidation(CommandResultValidation.None)
                    .ExecuteBufferedAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        progress?.Report(tasks.Count(i => batch.ExitCode(i) is not null));
        return JobReport.Read(batch, tasks);
    }

    /// <summary><c>0-3,7,9-10</c>: sorted indices as Slurm's array ranges.</summary>
    public static string ArrayRanges(IReadOnlyList<int> sorted)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var sb = new StringBuilder();
        for (var k = 0; k < sorted.Count;)
        {
            var end = k;
            while (end + 1 < sorted.Count && sorted[end + 1] == sorted[end] + 1)
            {
                end++;
            }

            sb.Append(sb.Length > 0 ? "," : string.Empty).Append(CultureInfo.InvariantCulture, $"{sorted[k]}");
            if (end > k)
            {
                sb.Append(CultureInfo.InvariantCulture, $"-{sorted[end]}");
            }

            k = end + 1;
        }

        return sb.ToString();
    }

    private async Task<string> SubmitAsync(JobBatch batch, int offset, IReadOnlyList<int> indices, CancellationToken ct)
    {
        var array = ArrayRanges(indices) + (options.MaxRunning > 0 ? "%" + options.MaxRunning.ToString(CultureInfo.InvariantCulture) : string.Empty);
        List<string> args =
        [
            "--parsable",
            "--job-name=" + options.JobName,
            "--array=" + array,
            "--output=" + Path.Combine(batch.Directory, "logs", "slurm-%A_%a.out"),
            "--chdir=" + batch.Directory,
            "--cpus-per-task=" + options.CpusPerTask.ToString(CultureInfo.InvariantCulture),
            "--export=ALL,HWGEN_TASK_OFFSET=" + offset.ToString(CultureInfo.InvariantCulture),
        ];
        if (!string.IsNullOrEmpty(options.Partition))
        {
            args.Add("--partition=" + options.Partition);
        }

        args.AddRange(options.ExtraArguments);
        args.Add(batch.Script);
        var result = await Cli.Wrap("sbatch").WithArguments(args).WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(ct).ConfigureAwait(false);
        var id = result.StandardOutput.Trim().Split(';')[0];
        if (result.ExitCode != 0 || id.Length == 0)
        {
            throw new SlurmException($"sbatch refused the array ({array}): {FirstLine(result.StandardError)}");
        }

        return id;
    }

    private static async Task<bool> QueuedAsync(IReadOnlyList<string> jobs, CancellationToken ct)
    {
        var result = await Cli.Wrap("squeue").WithArguments(["-h", "-o", "%i", "-j", string.Join(',', jobs)])
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(ct).ConfigureAwait(false);

        // squeue exits non-zero once every job id has been purged ("Invalid job id"): nothing is queued.
        return result.ExitCode == 0 && result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length > 0;
    }

    private static async Task<int> MaxArraySizeAsync(CancellationToken ct)
    {
        var result = await Cli.Wrap("scontrol").WithArguments(["show", "config"]).WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SlurmException($"scontrol show config failed (is Slurm running? .ci/slurm.sh start): {FirstLine(result.StandardError)}");
        }

        foreach (var line in result.StandardOutput.Split('\n'))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0] == "MaxArraySize" && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var max) && max > 1)
            {
                return max - 1; // indices 0 .. MaxArraySize-1
            }
        }

        return 1000;
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "(no message)";
}

/// <summary>How <see cref="SlurmJobRunner"/> submits.</summary>
public sealed record SlurmOptions
{
    /// <summary>The jobs' name in <c>squeue</c>.</summary>
    public string JobName { get; init; } = "hwgen";

    /// <summary>Partition, or empty for the cluster's default.</summary>
    public string Partition { get; init; } = string.Empty;

    /// <summary>CPUs each task asks for.</summary>
    public int CpusPerTask { get; init; } = 1;

    /// <summary>Array tasks running at once (the <c>%N</c> of <c>--array</c>); 0 leaves it to the scheduler.</summary>
    public int MaxRunning { get; init; }

    /// <summary>More <c>sbatch</c> arguments, e.g. <c>--time=30</c> or <c>--mem=4G</c>.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>How often <c>squeue</c> is asked whether the arrays are still queued or running.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>Slurm refused a submission or could not be reached.</summary>
public sealed class SlurmException(string message) : Exception(message);
