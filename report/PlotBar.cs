using HwGen.Verif;

namespace HwGen.Report;

/// <summary>One bar of <see cref="OperationPlot"/>: an operation's name, its cycles by cause, and the performance model's estimate.</summary>
/// <param name="Name">Label under the bar.</param>
/// <param name="Cycles">Cycles by cause (stacked bottom up in <see cref="ExecCause"/> order).</param>
/// <param name="Modelled">The performance model's cycles, drawn as a marker; null for none.</param>
public sealed record PlotBar(string Name, CycleBreakdown Cycles, long? Modelled);
