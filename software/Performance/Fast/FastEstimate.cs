namespace HwGen.Software.Performance.Fast;

/// <summary>One operation of a fast estimate (one layer's; <see cref="Repeat"/> times in the workload).</summary>
/// <param name="Name">Operation, named as the compiled layer names it without the layer and head prefixes (<c>q_proj</c>, <c>qk_softmax</c>).</param>
/// <param name="Cycles">Estimated cycles of one instance.</param>
/// <param name="Counts">Work of one instance.</param>
/// <param name="Repeat">Instances in the workload (heads × layers, or layers).</param>
public sealed record FastOp(string Name, long Cycles, WorkCounts Counts, int Repeat)
{
    /// <summary>Cycles the operation takes once in the workload, beside <see cref="Repeat"/> × <see cref="Cycles"/>: the program's first loads, or its last stores.</summary>
    public long Once { get; init; }

    /// <summary>All instances' cycles: <see cref="Repeat"/> × <see cref="Cycles"/> + <see cref="Once"/>.</summary>
    public long TotalCycles => (Cycles * Repeat) + Once;
}

/// <summary>The fast estimator's answer for a workload on a design.</summary>
/// <param name="TotalCycles">Cycles from START to DONE.</param>
/// <param name="IdealCycles">Useful MACs / PEs.</param>
/// <param name="Counts">The whole workload's work, for the energy model.</param>
/// <param name="Ops">Per operation.</param>
public sealed record FastEstimate(long TotalCycles, double IdealCycles, WorkCounts Counts, IReadOnlyList<FastOp> Ops)
{
    /// <summary>Ideal / total.</summary>
    public double Utilization => TotalCycles == 0 ? 0 : IdealCycles / TotalCycles;
}
