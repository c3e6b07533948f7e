using CliWrap;

namespace HwGen.Verif.Jobs;

/// <summary>Runs a batch's tasks as local processes, <paramref name="parallel"/> at a time.</summary>
/// <param name="parallel">Tasks running at once (at least 1).</param>
public sealed class LocalJobRunner(int parallel) : IJobRunner
{
    /// <inheritdoc/>
    public string Name => "local";

    /// <inheritdoc/>
    public async Task<JobReport> RunAsync(JobBatch batch, IReadOnlyList<int> tasks, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallel, 1);
        using var gate = new SemaphoreSlim(parallel);
        var done = 0;

        async Task RunOne(int i)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                batch.Reset(i);
                await Cli.Wrap("bash").WithArguments([batch.Script, i.ToString(System.Globalization.CultureInfo.InvariantCulture)])
                    .WithValidation(CommandResultValidation.None)
                    .ExecuteAsync(cancellationToken).ConfigureAwait(false);
                progress?.Report(Interlocked.Increment(ref done));
            }
            finally
            {
                gate.Release();
            }
        }

        try
        {
            await Task.WhenAll(tasks.Select(RunOne)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Whatever finished has its status; the rest count as lost.
        }

        return JobReport.Read(batch, tasks);
    }
}
