namespace HwGen.Verif;

/// <summary>
/// One operation of a compiled layer (or several of the same kind, e.g. the QKᵀ + Softmax of every head) from one RTL
/// run: its cycles as the per-cycle profile attributes them (docs/verification.md, "Per-operation profile"), its MACs,
/// utilization, the array's busy and idle cycles by cause, and the performance model's estimate.
/// </summary>
public sealed record OperationReport
{
    /// <summary>Operation name, e.g. <c>q_proj</c>, <c>qk_softmax</c> (all heads), <c>head3.pv</c> (one head).</summary>
    public required string Name { get; init; }

    /// <summary>How many compiled operations this row groups (the heads for per-head operations, else 1).</summary>
    public required int Count { get; init; }

    /// <summary>Instructions of the operation(s).</summary>
    public required int Instructions { get; init; }

    /// <summary>Useful multiply-accumulates.</summary>
    public required long Macs { get; init; }

    /// <summary>Cycles attributed to the operation(s).</summary>
    public required long Cycles { get; init; }

    /// <summary>MACs / processing elements.</summary>
    public required double IdealCycles { get; init; }

    /// <summary>MACs / (cycles · rows · cols); 0 without cycles.</summary>
    public required double Utilization { get; init; }

    /// <summary>The performance model's cycles (null when not estimated).</summary>
    public long? ModelledCycles { get; init; }

    /// <summary>The cycles split into array busy and idle causes; adds up to <see cref="Cycles"/>.</summary>
    public required CycleBreakdown Breakdown { get; init; }

    /// <summary>For a grouped row, its operations one by one (e.g. per head); empty otherwise.</summary>
    public IReadOnlyList<OperationReport> Parts { get; init; } = [];
}
