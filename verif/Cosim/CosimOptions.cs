namespace HwGen.Verif;

/// <summary>Settings of one co-simulation run: the harness and memory-model settings, plus what only co-simulation needs.</summary>
public sealed record CosimOptions : HarnessRunOptions
{
    /// <summary>Creates options with the co-simulation defaults (the watchdog is on).</summary>
    public CosimOptions() => Watchdog = DefaultWatchdog;

    /// <summary>The default watchdog window: far beyond any legitimate pause (busy units count as progress).</summary>
    public const long DefaultWatchdog = 20_000;

    /// <summary>Write every input and output tensor as .npy plus meta.json here.</summary>
    public string? DumpDirectory { get; init; }

    /// <summary>The injected error as the golden model sees it; null without one.</summary>
    public HwGen.Software.Golden.InjectedError? GoldenInjectedError() => SlaveErrorRange is { } r
        ? new HwGen.Software.Golden.InjectedError(r.Start, r.End, SlaveErrorDirection != SlaveErrorDirection.Writes, SlaveErrorDirection != SlaveErrorDirection.Reads)
        : null;
}
