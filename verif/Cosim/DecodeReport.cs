namespace HwGen.Verif;

/// <summary>A co-simulated generation: the prefill and every decode step, each compared bit for bit.</summary>
/// <param name="Config">Configuration name.</param>
/// <param name="Workload">The workload text.</param>
/// <param name="Steps">The prefill, then the decode steps (fewer when one failed: generation stops there).</param>
/// <param name="Generate">Decode steps asked for.</param>
public sealed record DecodeReport(string Config, string Workload, IReadOnlyList<DecodeStepReport> Steps, int Generate)
{
    /// <summary>Every program ran and matched, and every decode step asked for ran.</summary>
    public bool Match => Steps.All(s => s.Cosim.Match) && Steps.Count == Generate + 1;

    /// <summary>The decode steps that ran.</summary>
    public IEnumerable<DecodeStepReport> DecodeSteps => Steps.Where(s => s.Step >= 0);

    /// <summary>Tokens the decode steps produced.</summary>
    public int Tokens => DecodeSteps.Count();

    /// <summary>Mean cycles of a decode step (per generated token).</summary>
    public double CyclesPerToken => Tokens > 0 ? DecodeSteps.Average(s => (double)s.Cycles) : 0;

    /// <summary>Mean roofline bound of a decode step.</summary>
    public double BoundCyclesPerToken => Tokens > 0 ? DecodeSteps.Average(s => s.BoundCycles) : 0;

    /// <summary>The greedy tokens: the prefill's choice, then each step's.</summary>
    public IReadOnlyList<int> Chosen => Steps.Select(s => s.Next).ToList();
}
