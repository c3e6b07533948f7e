namespace HwGen.Generator.Design;

/// <summary>
/// The resolved, immutable design: every width, depth and count the RTL, the compiler, the
/// golden simulator and the harness need, computed once from a validated configuration.
/// Scriban sees it as <c>d</c> with snake_case member names.
/// </summary>
public sealed record DesignModel
{
    /// <summary>Configuration name (output folder name).</summary>
    public required string Name { get; init; }

    /// <summary>PE rows (the reduction dimension in weight-stationary mode).</summary>
    public required int Rows { get; init; }

    /// <summary>PE columns (output columns).</summary>
    public required int Cols { get; init; }

    /// <summary>PE rows per combinational tile.</summary>
    public required int TileRows { get; init; }

    /// <summary>PE columns per combinational tile.</summary>
    public required int TileCols { get; init; }

    /// <summary>1 when the array supports weight-stationary dataflow.</summary>
    public required int SupportWs { get; init; }

    /// <summary>1 when the array supports output-stationary dataflow.</summary>
    public required int SupportOs { get; init; }

    /// <summary>Scratchpad capacity in KiB as configured.</summary>
    public required int SpKib { get; init; }

    /// <summary>Bytes per scratchpad row: max(rows, cols) int8 elements.</summary>
    public required int SpRowBytes { get; init; }

    /// <summary>Scratchpad rows.</summary>
    public required int SpDepth { get; init; }

    /// <summary>Scratchpad banks.</summary>
    public required int SpBanks { get; init; }

    /// <summary>Bits of a scratchpad row address.</summary>
    public required int SpAddrBits { get; init; }

    /// <summary>Accumulator capacity in KiB as configured.</summary>
    public required int AccKib { get; init; }

    /// <summary>Bytes per accumulator row: cols int32 elements.</summary>
    public required int AccRowBytes { get; init; }

    /// <summary>Accumulator rows.</summary>
    public required int AccDepth { get; init; }

    /// <summary>Accumulator banks.</summary>
    public required int AccBanks { get; init; }

    /// <summary>Bits of an accumulator row address.</summary>
    public required int AccAddrBits { get; init; }

    /// <summary>AXI4 master data width.</summary>
    public required int AxiDataBits { get; init; }

    /// <summary>AXI4 address width.</summary>
    public int AxiAddrBits { get; init; } = 32;

    /// <summary>AXI4 ID width.</summary>
    public int AxiIdBits { get; init; } = 4;

    /// <summary>Maximum outstanding AXI read bursts per requester.</summary>
    public required int DmaOutstanding { get; init; }

    /// <summary>Load instruction queue depth.</summary>
    public required int LoadQueueDepth { get; init; }

    /// <summary>Execute instruction queue depth.</summary>
    public required int ExecQueueDepth { get; init; }

    /// <summary>Store instruction queue depth.</summary>
    public required int StoreQueueDepth { get; init; }

    /// <summary>1 when the store path has the I-GELU unit.</summary>
    public int UnitGelu { get; init; }

    /// <summary>1 when the store path has the Softmax unit.</summary>
    public int UnitSoftmax { get; init; }

    /// <summary>1 when the store path has the LayerNorm unit (with residual add).</summary>
    public int UnitLayerNorm { get; init; }

    /// <summary>Number of processing elements.</summary>
    public int Pes => Rows * Cols;

    /// <summary>SHA-256 (hex) of the canonical resolved configuration; set by the resolver.</summary>
    public string ConfigSha256 { get; init; } = string.Empty;

    /// <summary>True when the hardware supports the dataflow.</summary>
    public bool Supports(Dataflow dataflow) => dataflow == Dataflow.Ws ? SupportWs == 1 : SupportOs == 1;
}
