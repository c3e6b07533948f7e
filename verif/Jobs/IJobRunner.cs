namespace HwGen.Verif.Jobs;

/// <summary>
/// Runs tasks of a <see cref="JobBatch"/>: as local processes (<see cref="LocalJobRunner"/>) or as a Slurm job array
/// (<see cref="SlurmJobRunner"/>). Both run the batch's own script, so a task does the same thing either way; the
/// outcome is read from the batch folder, never from the runner.
/// </summary>
public interface IJobRunner
{
    /// <summary>A short name for messages (<c>local</c>, <c>slurm</c>).</summary>
    string Name { get; }

    /// <summary>Runs <paramref name="tasks"/> (indices into the batch) and waits for all of them.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="tasks">The tasks to run; finished ones are the caller's to leave out (<see cref="JobBatch.Unfinished"/>).</param>
    /// <param name="progress">Receives the number of tasks finished so far.</param>
    /// <param name="cancellationToken">Stops waiting; queued and running tasks are cancelled.</param>
    Task<JobReport> RunAsync(JobBatch batch, IReadOnlyList<int> tasks, IProgress<int>? progress = null, CancellationToken cancellationToken = default);
}
