namespace HwGen.Verif;

/// <summary>Settings of one co-simulation run.</summary>
public sealed record CosimOptions
{
    /// <summary>Seed for the memory model's random latency and backpressure.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>AR handshake to first R beat, cycles.</summary>
    public int ReadLatency { get; init; } = 1;

    /// <summary>Last W beat to B response, cycles.</summary>
    public int WriteLatency { get; init; } = 1;

    /// <summary>Outstanding read bursts the memory accepts.</summary>
    public int MaxReads { get; init; } = 8;

    /// <summary>Outstanding write bursts the memory accepts.</summary>
    public int MaxWrites { get; init; } = 8;

    /// <summary>Extra random latency 0..Jitter cycles per burst.</summary>
    public int Jitter { get; init; }

    /// <summary>Random backpressure on every AXI channel, percent per cycle (0..95).</summary>
    public int StallPercent { get; init; }

    /// <summary>Cycles after START before the run counts as a timeout.</summary>
    public long MaxCycles { get; init; } = 50_000_000;

    /// <summary>Report a hang when no unit made progress (no AXI handshake, no counter other than cycles and *_wait changing) for this many cycles (0 = off).</summary>
    public long Watchdog { get; init; } = DefaultWatchdog;

    /// <summary>The default watchdog window: far beyond any legitimate pause (busy units count as progress).</summary>
    public const long DefaultWatchdog = 20_000;

    /// <summary>Answer SLVERR for beats touching [Start, End) (fault tests); null for none.</summary>
    public (long Start, long End)? SlaveErrorRange { get; init; }

    /// <summary>Which AXI direction <see cref="SlaveErrorRange"/> applies to.</summary>
    public SlaveErrorDirection SlaveErrorDirection { get; init; } = SlaveErrorDirection.Both;

    /// <summary>Write an FST waveform here; builds (once) the tracing harness variant.</summary>
    public string? TracePath { get; init; }

    /// <summary>Write every input and output tensor as .npy plus meta.json here.</summary>
    public string? DumpDirectory { get; init; }

    /// <summary>The injected error as the golden model sees it; null without one.</summary>
    public HwGen.Software.Golden.InjectedError? GoldenInjectedError() => SlaveErrorRange is { } r
        ? new HwGen.Software.Golden.InjectedError(r.Start, r.End, SlaveErrorDirection != SlaveErrorDirection.Writes, SlaveErrorDirection != SlaveErrorDirection.Reads)
        : null;

    /// <summary>The harness settings these options imply.</summary>
    public HarnessRunOptions ToHarnessOptions() => new()
    {
        Seed = Seed,
        ReadLatency = ReadLatency,
        WriteLatency = WriteLatency,
        MaxReads = MaxReads,
        MaxWrites = MaxWrites,
        Jitter = Jitter,
        StallPercent = StallPercent,
        MaxCycles = MaxCycles,
        Watchdog = Watchdog,
        SlaveErrorRange = SlaveErrorRange,
        SlaveErrorDirection = SlaveErrorDirection,
        TracePath = TracePath,
    };
}
