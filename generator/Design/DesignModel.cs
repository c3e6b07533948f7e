using HwGen.Generator.Config;

namespace HwGen.Generator.Design;

/// <summary>
/// The resolved, immutable design: every width, depth and count the RTL, the compiler, the
/// golden simulator and the harness need, computed once from a validated configuration.
/// Scriban sees it as <c>d</c> with snake_case member names; templates print flags as 0/1 with <c>bit</c>.
/// </summary>
public sealed record DesignModel
{
    /// <summary>Every configuration key as resolved (defaults applied); the source of the resolved YAML.</summary>
    public required ResolvedConfig Config { get; init; }

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

    /// <summary>True when the array supports weight-stationary dataflow.</summary>
    public required bool SupportWs { get; init; }

    /// <summary>True when the array supports output-stationary dataflow.</summary>
    public required bool SupportOs { get; init; }

    /// <summary>
    /// True when horizontally adjacent PEs of a tile share one multiplier: the two int8 weights (or OS
    /// B operands) packed into one wide operand times the shared activation, one DSP48 per PE pair.
    /// </summary>
    public bool DspPacking { get; init; }

    /// <summary>
    /// True when the PEs multiply with shift-and-add rows instead of the * operator: for fabrics
    /// without DSP blocks (iCE40 HX), where it takes about half the logic cells.
    /// </summary>
    public bool MulLogic { get; init; }

    /// <summary>
    /// Bits of a weight-stationary partial sum inside the array: enough for ROWS int8×int8 products
    /// (wrapping in 32 bits is never reached), at most 32. Sign-extended at the bottom of the array.
    /// </summary>
    public int PsumBits { get; init; } = 32;

    /// <summary>Scratchpad capacity in KiB as configured.</summary>
    public required int SpKib { get; init; }

    /// <summary>Bytes per scratchpad row: max(rows, cols) int8 elements.</summary>
    public required int SpRowBytes { get; init; }

    /// <summary>Scratchpad rows.</summary>
    public required int SpDepth { get; init; }

    /// <summary>Scratchpad banks.</summary>
    public required int SpBanks { get; init; }

    /// <summary>
    /// True when the load unit has the transposing buffer behind <c>load target=sp_t</c>; false makes that
    /// target <c>bad_field</c> at dispatch (output-stationary GEMMs and Kᵀ loads need it).
    /// </summary>
    public bool TransposedLoad { get; init; } = true;

    /// <summary>
    /// True when output-stationary computes take packed int4 B rows, two column blocks a pass (<c>array.int4_pairs</c>,
    /// <c>compute int4_pairs=1</c>); false makes that flag <c>bad_field</c> at dispatch.
    /// </summary>
    public bool Int4Pairs { get; init; }

    /// <summary>
    /// True when the load unit unpacks int4 DRAM elements (<c>load int4=1</c>, two signed nibbles per byte) into
    /// the scratchpad; false makes int4 loads <c>bad_field</c> at dispatch.
    /// </summary>
    public bool Int4Load { get; init; } = true;

    /// <summary>
    /// True when the load unit merges the rows of a contiguous load into multi-beat bursts (<c>axi.merge_bursts</c>);
    /// false: one burst per row. The performance model follows it (<c>LoadBursts.Mergeable</c>).
    /// </summary>
    public bool MergeBursts { get; init; } = true;

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

    /// <summary>True when the store path has the I-GELU unit.</summary>
    public bool UnitGelu { get; init; }

    /// <summary>True when the store path has the Softmax unit.</summary>
    public bool UnitSoftmax { get; init; }

    /// <summary>True when the store path has the LayerNorm unit (with residual add).</summary>
    public bool UnitLayerNorm { get; init; }

    /// <summary>Requantizer lanes working in parallel (divides COLS; COLS = one row per pass).</summary>
    public int RequantLanes { get; init; }

    /// <summary>Multiplier bits each requantizer lane consumes per cycle (32 = the whole product in one cycle).</summary>
    public int RequantDigitBits { get; init; } = 32;

    /// <summary>True when the requantizer takes per-column multipliers (<c>store col_mult</c>, requant.per_column).</summary>
    public bool RequantPerColumn { get; init; } = true;

    /// <summary>
    /// Cycles the requantizer needs per accumulator row (hwgen_requant II): COLS / lanes groups of
    /// one cycle with 32-bit digits, or of ceil(72 / digit bits) cycles with narrower digits (the
    /// product's bits stream out digit by digit up to bit 71); 1 = fully parallel.
    /// </summary>
    public int RequantCyclesPerRow => (Cols / Math.Max(1, RequantLanes)) * (RequantDigitBits == 32 ? 1 : (72 + RequantDigitBits - 1) / RequantDigitBits);

    /// <summary>Width of each performance counter (32..64); the AXI4-Lite high word reads the bits above 32.</summary>
    public int CounterBits { get; init; } = 64;

    /// <summary>True when every performance counter exists; false when only <c>cycles</c> counts (the others read zero).</summary>
    public bool CountersAll { get; init; } = true;

    /// <summary>Number of processing elements.</summary>
    public int Pes => Rows * Cols;

    /// <summary>SHA-256 (hex) of the canonical resolved configuration; set by the resolver.</summary>
    public string ConfigSha256 { get; init; } = string.Empty;

    /// <summary>True when the hardware supports the dataflow.</summary>
    public bool Supports(Dataflow dataflow) => dataflow == Dataflow.Ws ? SupportWs : SupportOs;
}
