namespace HwGen.Verif;

/// <summary>The parsed result of one harness run, plus the final DRAM image.</summary>
public sealed record HarnessResult
{
    /// <summary>How the run ended.</summary>
    public required SimStatus Status { get; init; }

    /// <summary>Why a timeout happened (empty otherwise).</summary>
    public required string Reason { get; init; }

    /// <summary>Cycles from the START handshake to irq, counted by the harness.</summary>
    public required long Cycles { get; init; }

    /// <summary>All simulated cycles, including reset and register accesses.</summary>
    public required long TotalCycles { get; init; }

    /// <summary>True when the interrupt line was raised (IRQ_EN is set by the harness, so DONE or ERROR raise it).</summary>
    public required bool Irq { get; init; }

    /// <summary>UNIT_STATUS at the end (docs/isa.md).</summary>
    public required uint UnitStatus { get; init; }

    /// <summary>TOKENS at the end: LD->EX, EX->LD, EX->ST, ST->EX in bytes 0..3.</summary>
    public required uint Tokens { get; init; }

    /// <summary>For a hang or timeout: the stalled units and what they wait for; empty otherwise.</summary>
    public required string Stalled { get; init; }

    /// <summary>STATUS register at the end.</summary>
    public required uint StatusRegister { get; init; }

    /// <summary>ERR_CODE.</summary>
    public required int ErrorCode { get; init; }

    /// <summary>ERR_PC.</summary>
    public required int ErrorPc { get; init; }

    /// <summary>HW_ID.</summary>
    public required uint HardwareId { get; init; }

    /// <summary>HW_CONFIG.</summary>
    public required uint HardwareConfig { get; init; }

    /// <summary>Performance counters by IsaSpec name, in register order.</summary>
    public required IReadOnlyDictionary<string, ulong> Counters { get; init; }

    /// <summary>Wall time of the simulation loop.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>Simulated cycles per wall second.</summary>
    public required double CyclesPerSecond { get; init; }

    /// <summary>Memory-model statistics.</summary>
    public required AxiStatistics Axi { get; init; }

    /// <summary>AXI protocol violations the memory model detected.</summary>
    public required long ProtocolViolationCount { get; init; }

    /// <summary>The first violations, with their cycle.</summary>
    public required IReadOnlyList<string> ProtocolViolations { get; init; }

    /// <summary>The final DRAM image.</summary>
    public required byte[] Dram { get; init; }

    /// <summary>The execute unit's per-cycle profile (null when the harness did not write one).</summary>
    public ExecProfile? Profile { get; init; }

    /// <summary>The raw result JSON written by the harness.</summary>
    public required string Json { get; init; }
}
