namespace HwGen.Software.Performance;

/// <summary>
/// The timing constants of <see cref="PerfModel"/>. First guesses from the architecture note;
/// to be calibrated against the RTL's counters.
/// </summary>
/// <param name="MemoryLatency">Cycles from an AXI read request to its first beat (also the write-response latency).</param>
/// <param name="InstructionOverhead">Fixed cycles a unit spends per instruction (decode, token handshake, address setup).</param>
/// <param name="ArrayLatencyExtra">Cycles beyond the tile skew for a row to cross the array and be written to the accumulator.</param>
/// <param name="NormalizeRowOverhead">Cycles per logical row of a <c>normalize</c> beyond its three passes (pipeline drains between passes, the sequential reciprocal).</param>
public sealed record PerfParameters(int MemoryLatency = 20, int InstructionOverhead = 2, int ArrayLatencyExtra = 4, int NormalizeRowOverhead = 49)
{
    /// <summary>The defaults.</summary>
    public static PerfParameters Default { get; } = new();
}
