namespace HwGen.Verif;

/// <summary>A co-simulated generation: the prefill (or prefill chunks) and every decode step, each compared bit for bit.</summary>
/// <param name="Config">Configuration name.</param>
/// <param name="Workload">The workload text.</param>
/// <param name="Steps">The programs that ran (fewer than <paramref name="Programs"/> when one failed: generation stops there).</param>
/// <param name="Programs">Programs of the schedule.</param>
public sealed record DecodeReport(string Config, string Workload, IReadOnlyList<DecodeStepReport> Steps, int Programs)
{
    /// <summary>Prefill programs run on the golden model only (<c>--golden-prefill</c>); not in <see cref="Steps"/>.</summary>
    public int GoldenPrefills { get; init; }

    /// <summary>Why the run stopped before its first co-simulated program (a golden prefill that faulted); null otherwise.</summary>
    public string? Note { get; init; }

    /// <summary>Every program ran and matched.</summary>
    public bool Match => Steps.All(s => s.Cosim.Match) && Steps.Count == Programs && Note is null;

    /// <summary>The decode steps that ran (every sequence of the step appends one token).</summary>
    public IEnumerable<DecodeStepReport> DecodeSteps => Steps.Where(s => s.IsDecode);

    /// <summary>Tokens the decode steps produced (a batched step produces one per sequence).</summary>
    public int Tokens => DecodeSteps.Sum(s => s.Rows);

    /// <summary>Mean cycles of a decode step.</summary>
    public double CyclesPerStep => DecodeSteps.Any() ? DecodeSteps.Average(s => (double)s.Cycles) : 0;

    /// <summary>Cycles of the decode steps per token they produced.</summary>
    public double CyclesPerToken => Tokens > 0 ? DecodeSteps.Sum(s => (double)s.Cycles) / Tokens : 0;

    /// <summary>Roofline bound of the decode steps per token they produced.</summary>
    public double BoundCyclesPerToken => Tokens > 0 ? DecodeSteps.Sum(s => s.BoundCycles) / Tokens : 0;

    /// <summary>Cycles of the prefill programs (the whole prompt, or its chunks) in all.</summary>
    public long PrefillCycles => Steps.Where(s => !s.IsDecode).Sum(s => s.Cycles);

    /// <summary>The greedy tokens: each program's last choice.</summary>
    public IReadOnlyList<int> Chosen => Steps.Select(s => s.Next).ToList();
}
