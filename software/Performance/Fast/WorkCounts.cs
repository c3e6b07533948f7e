namespace HwGen.Software.Performance.Fast;

/// <summary>
/// What a run makes the hardware do, as the energy model prices it: MACs issued into the array (ROWS-padded rows × K ×
/// COLS), scratchpad and accumulator bits read and written, DRAM bytes, and elements through the requantizer and the
/// GELU, Softmax, LayerNorm and residual-add paths. Counted from a program's instructions or estimated without one
/// (<see cref="FastEstimator"/>).
/// </summary>
public sealed record WorkCounts
{
    /// <summary>MACs issued into the array.</summary>
    public double Macs { get; init; }

    /// <summary>Scratchpad bits read and written.</summary>
    public double ScratchpadBits { get; init; }

    /// <summary>Accumulator bits read and written.</summary>
    public double AccumulatorBits { get; init; }

    /// <summary>DRAM bytes read and written.</summary>
    public double DramBytes { get; init; }

    /// <summary>Elements through the requantizer (every store).</summary>
    public double RequantElements { get; init; }

    /// <summary>Elements through the GELU unit (GELU stores).</summary>
    public double GeluElements { get; init; }

    /// <summary>Elements through the Softmax unit.</summary>
    public double SoftmaxElements { get; init; }

    /// <summary>Elements through the LayerNorm unit.</summary>
    public double LayerNormElements { get; init; }

    /// <summary>Elements of residual-add normalizes.</summary>
    public double AddElements { get; init; }

    /// <summary>The sum of two counts.</summary>
    public static WorkCounts operator +(WorkCounts a, WorkCounts b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new WorkCounts
        {
            Macs = a.Macs + b.Macs, ScratchpadBits = a.ScratchpadBits + b.ScratchpadBits, AccumulatorBits = a.AccumulatorBits + b.AccumulatorBits,
            DramBytes = a.DramBytes + b.DramBytes, RequantElements = a.RequantElements + b.RequantElements, GeluElements = a.GeluElements + b.GeluElements,
            SoftmaxElements = a.SoftmaxElements + b.SoftmaxElements, LayerNormElements = a.LayerNormElements + b.LayerNormElements, AddElements = a.AddElements + b.AddElements,
        };
    }

    /// <summary>This count times <paramref name="factor"/> (repeated operations: heads, layers).</summary>
    public WorkCounts Times(double factor) => new()
    {
        Macs = Macs * factor, ScratchpadBits = ScratchpadBits * factor, AccumulatorBits = AccumulatorBits * factor, DramBytes = DramBytes * factor,
        RequantElements = RequantElements * factor, GeluElements = GeluElements * factor, SoftmaxElements = SoftmaxElements * factor,
        LayerNormElements = LayerNormElements * factor, AddElements = AddElements * factor,
    };
}
