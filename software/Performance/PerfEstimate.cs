namespace HwGen.Software.Performance;

/// <summary>The performance model's prediction for one program.</summary>
/// <param name="TotalCycles">Cycles from START to DONE.</param>
/// <param name="IdealCycles">Useful MACs / (ROWS·COLS).</param>
/// <param name="LoadBusy">Cycles the load unit works.</param>
/// <param name="ExecuteBusy">Cycles the execute unit works (streaming, preloading, filling, draining).</param>
/// <param name="StoreBusy">Cycles the store unit works.</param>
/// <param name="ArrayActive">Cycles a row (WS) or step (OS) enters the array.</param>
/// <param name="ExecuteIdle">Cycles the execute unit waits (tokens, dispatch, or nothing to do).</param>
public sealed record PerfEstimate(long TotalCycles, double IdealCycles, long LoadBusy, long ExecuteBusy, long StoreBusy, long ArrayActive, long ExecuteIdle)
{
    /// <summary>Ideal / total.</summary>
    public double Utilization => TotalCycles == 0 ? 0 : IdealCycles / TotalCycles;
}
