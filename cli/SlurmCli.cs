using System.CommandLine;
using HwGen.Verif.Jobs;

namespace HwGen.Cli;

/// <summary>
/// What <c>explore</c> and <c>fuzz</c> share to scale out on Slurm: the <c>--slurm</c> and <c>--slurm-partition</c>
/// options, the check that Slurm takes such an array before any work starts, and how a task starts this CLI again.
/// </summary>
internal static class SlurmCli
{
    /// <summary>The <c>--slurm</c> flag; <paramref name="what"/> names what runs as the array.</summary>
    public static Option<bool> SlurmOption(string what) =>
        new("--slurm") { Description = $"Run {what} as a Slurm job array (sbatch) instead of local processes; the output folder and the working folder must be shared with the nodes." };

    /// <summary>The <c>--slurm-partition</c> option.</summary>
    public static Option<string?> PartitionOption() =>
        new("--slurm-partition") { Description = "With --slurm: the partition (default: the cluster's default)." };

    /// <summary>
    /// The error line for Slurm options this machine cannot serve (<c>--slurm-partition</c> without <c>--slurm</c>, no
    /// <c>sbatch</c> on PATH, a partition or controller <c>sbatch --test-only</c> refuses), or null. Asked before any work.
    /// </summary>
    public static async Task<string?> ProblemAsync(bool useSlurm, SlurmOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!useSlurm)
        {
            return string.IsNullOrEmpty(options.Partition) ? null : $"error: --slurm-partition {options.Partition}: only applies with --slurm";
        }

        return await SlurmJobRunner.CheckAsync(options, cancellationToken).ConfigureAwait(false) is { } problem
            ? $"error: --slurm{(string.IsNullOrEmpty(options.Partition) ? string.Empty : " --slurm-partition " + options.Partition)}: {problem}"
            : null;
    }

    /// <summary>
    /// The one-line error and exit code for a job-layer failure once work has started: <c>sbatch</c> refusing a
    /// submission after all (exit 3), or an output folder that holds a different batch (exit 2, named with
    /// <paramref name="output"/> and <paramref name="why"/>); null for any other exception.
    /// </summary>
    public static (string Line, int Exit)? Failure(Exception ex, string output, string why) => ex switch
    {
        SlurmException s => ($"error: --slurm: {s.Message}", ExitCodes.ToolError),
        InvalidOperationException o when o.Message.Contains("different batch", StringComparison.Ordinal) =>
            ($"error: --output {output}: {o.Message} ({why})", ExitCodes.BadInput),
        _ => null,
    };

    /// <summary>How to start this same CLI again (for tasks): the apphost, or <c>dotnet hwgen.dll</c>.</summary>
    public static string[] SelfCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var dll = typeof(SlurmCli).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, dll] : [process];
    }
}
