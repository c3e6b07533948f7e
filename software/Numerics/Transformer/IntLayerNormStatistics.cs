namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Per-row statistics of the LayerNorm unit, produced by its first two passes and consumed by the third.
/// </summary>
/// <param name="Sum">Σh over the row (int64, |Σ| &lt; 2^43).</param>
/// <param name="Min">Smallest h (int32).</param>
/// <param name="Max">Largest h (int32).</param>
/// <param name="Shift">Deviation shift: positive shifts right (round half up), negative shifts left; −25..19.</param>
/// <param name="SumOfSquares">Q = Σ ds² (≤ 2^62).</param>
/// <param name="Sigma">⌊√Q⌋ (0, or 2^23..2^31).</param>
/// <param name="Factor">⌊2^53/σ⌋, or 0 when σ = 0 (≤ 2^30).</param>
public readonly record struct IntLayerNormStatistics(long Sum, int Min, int Max, int Shift, long SumOfSquares, uint Sigma, long Factor);
