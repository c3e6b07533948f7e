namespace HwGen.Generator.Config;

/// <summary>The configuration as written: every value nullable, nothing derived yet.</summary>
public sealed record RawConfig
{
    /// <summary>Configuration name; names the output folder.</summary>
    public string? Name { get; init; }

    /// <summary>array.rows</summary>
    public int? Rows { get; init; }

    /// <summary>array.cols</summary>
    public int? Cols { get; init; }

    /// <summary>array.tile_rows</summary>
    public int? TileRows { get; init; }

    /// <summary>array.tile_cols</summary>
    public int? TileCols { get; init; }

    /// <summary>array.dataflow: ws, os or both.</summary>
    public string? Dataflow { get; init; }

    /// <summary>array.dsp_packing: two int8 MACs of a PE pair share one multiplier (Xilinx DSP48).</summary>
    public bool? DspPacking { get; init; }

    /// <summary>scratchpad.kib</summary>
    public int? ScratchpadKib { get; init; }

    /// <summary>scratchpad.banks</summary>
    public int? ScratchpadBanks { get; init; }

    /// <summary>accumulator.kib</summary>
    public int? AccumulatorKib { get; init; }

    /// <summary>accumulator.banks</summary>
    public int? AccumulatorBanks { get; init; }

    /// <summary>axi.data_bits</summary>
    public int? AxiDataBits { get; init; }

    /// <summary>axi.max_outstanding</summary>
    public int? AxiMaxOutstanding { get; init; }

    /// <summary>queues.load</summary>
    public int? LoadQueue { get; init; }

    /// <summary>queues.exec</summary>
    public int? ExecQueue { get; init; }

    /// <summary>queues.store</summary>
    public int? StoreQueue { get; init; }

    /// <summary>units.gelu</summary>
    public bool? Gelu { get; init; }

    /// <summary>units.softmax</summary>
    public bool? Softmax { get; init; }

    /// <summary>units.layernorm</summary>
    public bool? LayerNorm { get; init; }

    /// <summary>array.multiplier: dsp or logic.</summary>
    public string? Multiplier { get; init; }

    /// <summary>requant.lanes</summary>
    public int? RequantLanes { get; init; }

    /// <summary>requant.digit_bits</summary>
    public int? RequantDigitBits { get; init; }

    /// <summary>counters.bits</summary>
    public int? CounterBits { get; init; }

    /// <summary>counters.set: all or cycles.</summary>
    public string? CounterSet { get; init; }

    /// <summary>scratchpad.transposed_load</summary>
    public bool? TransposedLoad { get; init; }

    /// <summary>YAML line of each key path that was present, for error messages.</summary>
    public IReadOnlyDictionary<string, int> Lines { get; init; } = new Dictionary<string, int>();
}
