namespace HwGen.Verif.Jobs;

/// <summary>What became of the tasks a runner was given.</summary>
/// <param name="Succeeded">Tasks that exited 0 (in this run or an earlier one).</param>
/// <param name="Failed">Tasks that ran and exited non-zero, with their exit codes.</param>
/// <param name="Lost">Tasks with no recorded exit (killed, node failure, cancelled, never scheduled).</param>
public sealed record JobReport(IReadOnlyList<int> Succeeded, IReadOnlyDictionary<int, int> Failed, IReadOnlyList<int> Lost)
{
    /// <summary>True when every task exited 0.</summary>
    public bool AllSucceeded => Failed.Count == 0 && Lost.Count == 0;

    /// <summary>The tasks to run again: failed and lost, in index order.</summary>
    public IReadOnlyList<int> ToResubmit => [.. Failed.Keys.Concat(Lost).Order()];

    /// <summary>Reads the outcome of <paramref name="tasks"/> from the batch's status files.</summary>
    public static JobReport Read(JobBatch batch, IEnumerable<int> tasks)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(tasks);
        var ok = new List<int>();
        var failed = new SortedDictionary<int, int>();
        var lost = new List<int>();
        foreach (var i in tasks.Order())
        {
            switch (batch.ExitCode(i))
            {
                case 0: ok.Add(i); break;
                case { } code: failed[i] = code; break;
                default: lost.Add(i); break;
            }
        }

        return new JobReport(ok, failed, lost);
    }
}
