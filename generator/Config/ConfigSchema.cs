namespace HwGen.Generator.Config;

/// <summary>
/// Every configuration key, once: path, type, allowed values, default and meaning. The reader
/// accepts exactly these keys (anything else is an error with its path and line), the resolver
/// applies their defaults and ranges, the resolved <c>config.yaml</c> and the README's
/// configuration reference are rendered from this table in this order. Adding a key is one
/// entry here and its use in <c>DesignResolver</c>.
/// </summary>
public static class ConfigSchema
{
    private static readonly List<ConfigKey> Table = [];

    /// <summary>name</summary>
    public static readonly TextKey Name = Add(new TextKey("name", "Configuration name; names the output folder `rtl-out/<name>`.")
    {
        Rule = (v => v.Length is > 0 and <= 64 && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'), "1-64 letters, digits, '-' or '_'"),
    });

    /// <summary>array.rows</summary>
    public static readonly IntKey Rows = Add(new IntKey("array.rows", 2, 64, "PE rows (the reduction dimension in weight-stationary mode)."));

    /// <summary>array.cols</summary>
    public static readonly IntKey Cols = Add(new IntKey("array.cols", 2, 64, "PE columns."));

    /// <summary>array.tile_rows</summary>
    public static readonly IntKey TileRows = Add(new IntKey("array.tile_rows", 1, 64, "PE rows per combinational tile; must divide rows.") { Default = 1 });

    /// <summary>array.tile_cols</summary>
    public static readonly IntKey TileCols = Add(new IntKey("array.tile_cols", 1, 64, "PE columns per combinational tile; must divide cols.") { Default = 1 });

    /// <summary>array.dataflow</summary>
    public static readonly TextKey Dataflow = Add(new TextKey("array.dataflow", "Dataflows the array supports: weight-stationary, output-stationary or both.")
    {
        Default = "both",
        OneOf = ["ws", "os", "both"],
    });

    /// <summary>array.dsp_packing</summary>
    public static readonly BoolKey DspPacking = Add(new BoolKey("array.dsp_packing", false,
        "Two int8 MACs per DSP48: PE pairs of a tile share one 25x8 multiplier (needs an even tile_cols and multiplier: dsp)."));

    /// <summary>array.multiplier</summary>
    public static readonly TextKey Multiplier = Add(new TextKey("array.multiplier",
        "dsp: the * operator, mapped to DSP blocks; logic: shift-and-add rows for fabrics without DSPs, e.g. iCE40 HX.")
    {
        Default = "dsp",
        OneOf = ["dsp", "logic"],
    });

    /// <summary>array.int4_pairs</summary>
    public static readonly BoolKey Int4Pairs = Add(new BoolKey("array.int4_pairs", false,
        "Output-stationary computes on packed int4 B rows (`compute int4_pairs=1`): the upper half of the PE rows takes the first COLS weights of a 16-byte row, the lower half the next COLS, so a one-row GEMM (a decode step) consumes 2*COLS int4 weights a cycle, the bus rate; a second skewed B chain over the upper half (2,232 bits of delay on 16x16; +1.9 % LUTs on tiny in Yosys) (needs dataflow os or both and an even number of tile rows)."));

    /// <summary>scratchpad.kib</summary>
    public static readonly IntKey ScratchpadKib = Add(new IntKey("scratchpad.kib", 1, 4096, "Scratchpad capacity; rows of max(rows, cols) int8.") { Default = 64, PowerOfTwo = true });

    /// <summary>scratchpad.banks</summary>
    public static readonly IntKey ScratchpadBanks = Add(new IntKey("scratchpad.banks", 1, 32, "Scratchpad banks.") { Default = 4, PowerOfTwo = true });

    /// <summary>scratchpad.transposed_load</summary>
    public static readonly BoolKey TransposedLoad = Add(new BoolKey("scratchpad.transposed_load", true,
        "The buffer behind `load target=sp_t` (OS GEMMs, Kᵀ); false removes it and makes sp_t bad_field (needs dataflow: ws)."));

    /// <summary>scratchpad.int4_load</summary>
    public static readonly BoolKey Int4Load = Add(new BoolKey("scratchpad.int4_load", true,
        "The int4 unpacker of the load unit (`load int4=1`: two signed 4-bit weights per DRAM byte, sign-extended into the scratchpad); false removes it and makes int4 loads bad_field."));

    /// <summary>accumulator.kib</summary>
    public static readonly IntKey AccumulatorKib = Add(new IntKey("accumulator.kib", 1, 4096, "Accumulator capacity; rows of cols int32.") { Default = 16, PowerOfTwo = true });

    /// <summary>accumulator.banks</summary>
    public static readonly IntKey AccumulatorBanks = Add(new IntKey("accumulator.banks", 1, 32, "Accumulator banks.") { Default = 2, PowerOfTwo = true });

    /// <summary>axi.data_bits</summary>
    public static readonly IntKey AxiDataBits = Add(new IntKey("axi.data_bits", 32, 512, "AXI4 master data width in bits.") { Default = 128, PowerOfTwo = true });

    /// <summary>axi.max_outstanding</summary>
    public static readonly IntKey AxiMaxOutstanding = Add(new IntKey("axi.max_outstanding", 1, 32, "Outstanding AXI bursts per requester and direction.") { Default = 8 });

    /// <summary>axi.merge_bursts</summary>
    public static readonly BoolKey MergeBursts = Add(new BoolKey("axi.merge_bursts", true,
        "The load unit sends the rows of a contiguous load (stride = row bytes, beat-aligned, a power-of-two beats a row) as multi-beat INCR bursts of up to 256 beats, never across 4 KiB; false sends one burst per row and leaves out that logic (about 280 iCE40 logic cells)."));

    /// <summary>queues.load</summary>
    public static readonly IntKey LoadQueue = Add(new IntKey("queues.load", 1, 256, "Load instruction queue entries.") { Default = 8, PowerOfTwo = true });

    /// <summary>queues.exec</summary>
    public static readonly IntKey ExecQueue = Add(new IntKey("queues.exec", 1, 256, "Execute instruction queue entries.") { Default = 8, PowerOfTwo = true });

    /// <summary>queues.store</summary>
    public static readonly IntKey StoreQueue = Add(new IntKey("queues.store", 1, 256, "Store instruction queue entries.") { Default = 8, PowerOfTwo = true });

    /// <summary>units.gelu</summary>
    public static readonly BoolKey Gelu = Add(new BoolKey("units.gelu", true, "The I-GELU unit on the accumulator-to-DRAM path (store func gelu)."));

    /// <summary>units.softmax</summary>
    public static readonly BoolKey Softmax = Add(new BoolKey("units.softmax", true, "The row Softmax unit with optional causal mask (normalize func softmax)."));

    /// <summary>units.layernorm</summary>
    public static readonly BoolKey LayerNorm = Add(new BoolKey("units.layernorm", true, "The row LayerNorm unit with residual add, and the residual add alone (normalize func layernorm, add)."));

    /// <summary>requant.lanes</summary>
    public static readonly IntKey RequantLanes = Add(new IntKey("requant.lanes", 1, 64, "Requantizer lanes working in parallel; must divide cols (cols = one row per cycle).") { DefaultFrom = Cols });

    /// <summary>requant.digit_bits</summary>
    public static readonly IntKey RequantDigitBits = Add(new IntKey("requant.digit_bits", 1, 32,
        "Multiplier bits per requantizer lane and cycle: 32 is a whole 32x31 product; narrower digits stream the product out in ceil(72/digit_bits) cycles per element, without a 64-bit product register or shifter.")
    {
        Default = 32,
        OneOf = [1, 2, 4, 8, 16, 32],
    });

    /// <summary>requant.per_column</summary>
    public static readonly BoolKey RequantPerColumn = Add(new BoolKey("requant.per_column", true,
        "Per-column requantization multipliers (`store col_mult=1`: lane j of accumulator row requant_cols is column j's multiplier, for per-output-channel weight scales); false removes the constants register and the per-lane multiplier select and makes col_mult bad_field."));

    /// <summary>counters.bits</summary>
    public static readonly IntKey CounterBits = Add(new IntKey("counters.bits", 16, 64, "Performance counter width; the AXI4-Lite high word reads the bits above 32.") { Default = 64 });

    /// <summary>counters.set</summary>
    public static readonly TextKey CounterSet = Add(new TextKey("counters.set", "all: every performance counter; cycles: only the cycle counter, the others read zero.")
    {
        Default = "all",
        OneOf = ["all", "cycles"],
    });

    /// <summary>Every key, in table order (the order of the resolved YAML and the reference).</summary>
    public static IReadOnlyList<ConfigKey> Keys => Table;

    /// <summary>The sections (key path prefixes), in table order.</summary>
    public static IReadOnlyList<string> Sections { get; } =
        Table.Select(k => k.Section).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The key with this path, or null.</summary>
    public static ConfigKey? Find(string path) => Table.Find(k => string.Equals(k.Path, path, StringComparison.Ordinal));

    private static T Add<T>(T key)
        where T : ConfigKey
    {
        Table.Add(key);
        return key;
    }
}
