namespace HwGen.Software.Performance;

/// <summary>
/// The timing constants of <see cref="PerfModel"/> that the RTL does not fix: the memory's latency (a property of the
/// system, not of the accelerator; <c>hwgen sim --latency</c>), and the store unit's per-instruction figures measured on
/// the RTL (docs/performance.md).
/// </summary>
/// <param name="MemoryLatency">Cycles from an AXI read request's acceptance to its first beat (and from a write's last beat to its response): <c>hwgen sim --latency</c>, 1 by default.</param>
/// <param name="InstructionOverhead">Fixed cycles the store unit spends per normalize (decode, token handshake, address setup).</param>
/// <param name="WriteResponseExtra">Cycles beyond the memory latency from a normalize's last row to its push, and (plus two) from a store's last read to its write response (write pipeline and B response).</param>
/// <param name="SoftmaxRowEngine">Fewest cycles per logical row of a Softmax <c>normalize</c>: the reciprocal divider's time per row.</param>
/// <param name="LayerNormRowEngine">Fewest cycles per logical row of a LayerNorm <c>normalize</c>: square root and divider per row.</param>
/// <param name="SoftmaxStatsLatency">Cycles the last row's reciprocal adds to a Softmax <c>normalize</c> (pipeline and divider).</param>
/// <param name="LayerNormStatsLatency">Cycles the last row's statistics add to a LayerNorm <c>normalize</c> (pipeline, square root, divider).</param>
/// <param name="PostDrain">Cycles from the store unit's last read of an output row until a <c>config_post</c> may write its register (every row read has left the W side).</param>
/// <param name="SteadyTiles">The fast estimator extrapolates the repeating middle tiles of an output-stationary residual GEMM instead of walking them (false: walk every tile; the result is the same, for checking).</param>
public sealed record PerfParameters(int MemoryLatency = 1, int InstructionOverhead = 2, int WriteResponseExtra = 4,
    int SoftmaxRowEngine = 17, int LayerNormRowEngine = 35, int SoftmaxStatsLatency = 25, int LayerNormStatsLatency = 42, int PostDrain = 4,
    bool SteadyTiles = true)
{
    /// <summary>The defaults.</summary>
    public static PerfParameters Default { get; } = new();
}
