using HwGen.Software.Layers;

namespace HwGen.Verif;

/// <summary>A co-simulated token-pruned stack: the layers run (measured cycles) and each program's co-simulation.</summary>
/// <param name="Layers">The layers completed, in order.</param>
/// <param name="Programs">One co-simulation per program run (the last one failed when <see cref="Match"/> is false).</param>
public sealed record TokenPruneReport(IReadOnlyList<TokenPruneLayer> Layers, IReadOnlyList<CosimReport> Programs)
{
    /// <summary>True when every program matched the golden model bit for bit.</summary>
    public bool Match => Programs.All(p => p.Match);

    /// <summary>Bytes the host read from DRAM (P after each pruning point).</summary>
    public long HostBytesRead => Layers.Sum(l => l.HostBytesRead);
}
