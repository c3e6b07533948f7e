namespace HwGen.Models;

/// <summary>A constant tensor of the graph (initializer, Constant node, or folded from them), as float32.</summary>
internal sealed record ConstTensor(long[] Dims, float[] Values)
{
    public long Count => Values.LongLength;

    public bool IsScalar => Values.Length == 1;

    /// <summary>Rank ignoring leading ones ([1, 1, 384] is a vector).</summary>
    public int EffectiveRank => Dims.SkipWhile(d => d == 1).Count();
}
