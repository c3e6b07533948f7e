namespace HwGen.Software.Performance;

/// <summary>
/// The timing constants of <see cref="PerfModel"/>. First guesses from the architecture note;
/// to be calibrated against the RTL's counters.
/// </summary>
/// <param name="MemoryLatency">Cycles from an AXI read request to its first beat (also the write-response latency).</param>
/// <param name="InstructionOverhead">Fixed cycles a unit spends per instruction (decode, token handshake, address setup).</param>
/// <param name="ArrayLatencyExtra">Cycles beyond the tile skew for a row to cross the array and be written to the accumulator.</param>
/// <param name="SoftmaxRowEngine">Fewest cycles per logical row of a Softmax <c>normalize</c>: the reciprocal divider's time per row.</param>
/// <param name="LayerNormRowEngine">Fewest cycles per logical row of a LayerNorm <c>normalize</c>: square root and divider per row.</param>
/// <param name="SoftmaxStatsLatency">Cycles the last row's reciprocal adds to a Softmax <c>normalize</c> (pipeline and divider).</param>
/// <param name="LayerNormStatsLatency">Cycles the last row's statistics add to a LayerNorm <c>normalize</c> (pipeline, square root, divider).</param>
public sealed record PerfParameters(int MemoryLatency = 20, int InstructionOverhead = 2, int ArrayLatencyExtra = 4,
    int SoftmaxRowEngine = 17, int LayerNormRowEngine = 35, int SoftmaxStatsLatency = 25, int LayerNormStatsLatency = 42)
{
    /// <summary>The defaults.</summary>
    public static PerfParameters Default { get; } = new();
}
