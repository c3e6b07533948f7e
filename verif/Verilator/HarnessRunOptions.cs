namespace HwGen.Verif;

/// <summary>Memory-model and run-control settings for one harness run (see verif/harness/sim_main.cpp).</summary>
public record HarnessRunOptions
{
    /// <summary>Seed for random latency and backpressure.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Cycles from an AR handshake to the earliest first R beat (at least 1).</summary>
    public int ReadLatency { get; init; } = 1;

    /// <summary>Cycles from the last W beat to the earliest B response (at least 1).</summary>
    public int WriteLatency { get; init; } = 1;

    /// <summary>Outstanding read bursts the memory accepts.</summary>
    public int MaxReads { get; init; } = 8;

    /// <summary>Outstanding write bursts the memory accepts.</summary>
    public int MaxWrites { get; init; } = 8;

    /// <summary>Extra random latency, 0..Jitter cycles per burst.</summary>
    public int Jitter { get; init; }

    /// <summary>Random backpressure on every AXI channel, percent per cycle (0..95).</summary>
    public int StallPercent { get; init; }

    /// <summary>Cycles after START before the run is stopped as a timeout.</summary>
    public long MaxCycles { get; init; } = 50_000_000;

    /// <summary>Stop as a timeout when no AXI handshake happened for this many cycles (0 = off).</summary>
    public long Watchdog { get; init; }

    /// <summary>Poll STATUS every N cycles instead of waiting for irq (0 = wait for irq).</summary>
    public long PollInterval { get; init; }

    /// <summary>Answer SLVERR for beats touching [Start, End); null for none.</summary>
    public (long Start, long End)? SlaveErrorRange { get; init; }

    /// <summary>Which AXI direction the SLVERR range applies to.</summary>
    public SlaveErrorDirection SlaveErrorDirection { get; init; } = SlaveErrorDirection.Both;

    /// <summary>Write an FST waveform here (needs a harness built with <see cref="HarnessBuildOptions.Trace"/>).</summary>
    public string? TracePath { get; init; }

    /// <summary>DRAM size to model; 0 = the image size.</summary>
    public long MemorySize { get; init; }
}
