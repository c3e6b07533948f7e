using HwGen.Generator.Design;
using HwGen.Software.Layers;
using HwGen.Software.Performance;

namespace HwGen.Verif;

/// <summary>The co-simulation side of a <see cref="LayerRun"/>: its per-operation report.</summary>
public static class LayerRunReports
{
    /// <summary>
    /// The per-operation report of a run of <see cref="LayerRun.Program"/>; with <paramref name="model"/>, the performance
    /// model's per-operation estimate next to it, with <paramref name="parameters"/> (the run's memory latency; the defaults
    /// when null).
    /// </summary>
    public static LayerReport Report(this LayerRun run, DesignModel design, CosimReport report, bool model = true, PerfParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(report);
        var modelled = model ? run.Compiled.ModelledCycles(design, parameters).Select(m => m.Cycles).ToList() : null;
        return LayerReport.Build(run.Quantized.Spec.ToString(), design.Pes, run.Compiled.Ops, modelled, report, run.Program.Length, run.Compiled.OpOf);
    }
}
