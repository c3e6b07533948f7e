using System.Text.Json.Serialization;

namespace HwGen.Verif;

/// <summary>The outcome of one co-simulation: bit-exact verdict, fault comparison, cycles and counters.</summary>
public sealed record CosimReport
{
    /// <summary>Configuration name.</summary>
    public required string Config { get; init; }

    /// <summary>Workload description.</summary>
    public required string Workload { get; init; }

    /// <summary>
    /// True when the run passed: the RTL agrees with the golden model (<see cref="RtlMatch"/>) and the golden model's
    /// outputs do not disagree with the untiled reference (<see cref="ReferenceMatch"/> is not false).
    /// </summary>
    public required bool Match { get; init; }

    /// <summary>True when the RTL agrees with the golden model: every DRAM bit for fault-free runs, the fault code and PC otherwise, and no AXI protocol violation.</summary>
    public bool RtlMatch { get; init; }

    /// <summary>The golden outputs against the workload's untiled integer reference: true, false, or null when there is none (hand-written programs) or the golden model faulted.</summary>
    public bool? ReferenceMatch { get; init; }

    /// <summary>The first element where the golden model differs from the untiled reference (Expected = reference, Actual = golden), or null.</summary>
    public TensorMismatch? ReferenceMismatch { get; init; }

    /// <summary>What the reference check compared, or why it compared nothing.</summary>
    public string ReferenceNote { get; init; } = string.Empty;

    /// <summary>Which side disagreed: none, rtl_vs_golden (an RTL bug), golden_vs_reference (a compiler bug) or both.</summary>
    public Disagreement Disagreement { get; init; }

    /// <summary>How the RTL run ended.</summary>
    public required SimStatus Status { get; init; }

    /// <summary>Why the RTL run timed out or hung, or empty.</summary>
    public required string Reason { get; init; }

    /// <summary>True when the RTL raised <c>irq</c> (it must for DONE and for ERROR).</summary>
    public required bool Irq { get; init; }

    /// <summary>For a hang or timeout: which units stalled and what they wait for (from UNIT_STATUS and TOKENS); empty otherwise.</summary>
    public required string Stalled { get; init; }

    /// <summary>UNIT_STATUS when the run ended.</summary>
    public required uint UnitStatus { get; init; }

    /// <summary>TOKENS when the run ended.</summary>
    public required uint Tokens { get; init; }

    /// <summary>The golden model's fault (code 0 when it completed).</summary>
    public required FaultInfo GoldenFault { get; init; }

    /// <summary>The golden model's explanation of its fault, or empty.</summary>
    public required string GoldenFaultDetail { get; init; }

    /// <summary>The RTL's ERR_CODE/ERR_PC (code 0 when it completed).</summary>
    public required FaultInfo RtlFault { get; init; }

    /// <summary>Cycles from START to DONE/ERROR, counted by the harness.</summary>
    public required long Cycles { get; init; }

    /// <summary>Useful multiply-accumulates of the workload.</summary>
    public required long Macs { get; init; }

    /// <summary>MACs / processing elements.</summary>
    public required double IdealCycles { get; init; }

    /// <summary>Ideal cycles / measured cycles (0 unless the run completed).</summary>
    public required double Utilization { get; init; }

    /// <summary>Every performance counter by IsaSpec name.</summary>
    public required IReadOnlyDictionary<string, ulong> Counters { get; init; }

    /// <summary>Busy and wait cycles of the load, execute and store units.</summary>
    public required IReadOnlyDictionary<string, UnitActivity> Units { get; init; }

    /// <summary>Bytes read by loads.</summary>
    public required ulong DmaReadBytes { get; init; }

    /// <summary>Bytes written by stores.</summary>
    public required ulong DmaWriteBytes { get; init; }

    /// <summary>Bytes of instructions fetched.</summary>
    public required ulong FetchBytes { get; init; }

    /// <summary>Wall time of the RTL simulation loop.</summary>
    public required double SimWallSeconds { get; init; }

    /// <summary>Simulated cycles per wall second.</summary>
    public required double CyclesPerSecond { get; init; }

    /// <summary>The first differing element, or null.</summary>
    public TensorMismatch? Mismatch { get; init; }

    /// <summary>Everything else that looked wrong (counter disagreements, protocol violations, HW_CONFIG).</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Output tensors compared, in program order.</summary>
    public required IReadOnlyList<string> ComparedTensors { get; init; }

    /// <summary>Memory-model settings: seed, latencies, jitter, backpressure.</summary>
    public required CosimOptions Memory { get; init; }

    /// <summary>AXI statistics from the memory model.</summary>
    public required AxiStatistics Axi { get; init; }

    /// <summary>Accuracy of each Transformer kernel the program ran, against the exact float function (empty for GEMMs).</summary>
    public IReadOnlyList<KernelAccuracyResult> Accuracy { get; init; } = [];

    /// <summary>
    /// The run's cycles split by what the execute unit did: array busy, or idle by cause (from the harness's per-cycle
    /// profile; null without one).
    /// </summary>
    public CycleBreakdown? ExecCycles { get; init; }

    /// <summary>For a whole-layer workload: the per-operation table and totals (null otherwise).</summary>
    public LayerReport? Layer { get; init; }

    /// <summary>The harness's per-instruction profile, for per-operation tables (not serialized: it is large).</summary>
    [JsonIgnore]
    public ExecProfile? Profile { get; init; }

    /// <summary>Harness build hash (the cache entry).</summary>
    public required string HarnessHash { get; init; }
}
