using HwGen.Generator.Design;
using HwGen.Verif.Synth;

namespace HwGen.Explore.Cost;

/// <summary>
/// The FPGA resource model's modules: which synthesized modules each one covers, and the configuration terms its
/// LUTs, FFs, DSPs and block RAMs scale with (each resource is a linear combination of its module's terms).
/// </summary>
public static class ResourceFeatures
{
    /// <summary>Memories of this many words or fewer Yosys maps to LUT RAM, not block RAM (<see cref="BramsPerBank"/>).</summary>
    public const int LutRamRows = 64;

    /// <summary>The model's modules in a fixed order.</summary>
    public static IReadOnlyList<string> Modules { get; } =
        ["array", "exec", "scratchpad", "accumulator", "load", "requant", "gelu", "softmax", "layernorm", "store", "frontend", "regs", "glue"];

    /// <summary>Each module's terms, by name.</summary>
    public static IReadOnlyList<string> Terms(string module) => module switch
    {
        "array" => ["pes", "multipliers", "tiles", "pair_bits"],
        "exec" => ["edge", "one", "pairs_on"],
        "scratchpad" => ["sp_brams", "sp_banks", "one"],
        "accumulator" => ["acc_brams", "acc_banks", "acc_lutram_bits", "one"],
        "load" => ["axi_bits", "tbuf_bytes", "one"],
        "requant" => ["rq_lanes", "cols", "one"],
        "gelu" => ["gelu_lanes", "gelu_on"],
        "softmax" => ["softmax_lanes", "softmax_on"],
        "layernorm" => ["layernorm_lanes", "layernorm_on", "ln_brams"],
        "store" => ["cols", "axi_bits", "one"],
        "frontend" => ["queue_entries", "axi_bits", "one"],
        "regs" => ["one"],
        "glue" => ["axi_bits", "one"],
        _ => throw new ArgumentException($"unknown resource-model module '{module}'", nameof(module)),
    };

    /// <summary>
    /// True when term <paramref name="term"/> enters resource <paramref name="resource"/> (0 LUTs, 1 FFs, 2 DSPs, 3 block
    /// RAMs): the LayerNorm caches' block-RAM count only the block RAMs (fitted on LUTs it would split the lanes' logic
    /// with a term that follows them on every fit point, and predict too few LUTs where the caches go to LUT RAM); the
    /// accumulator's LUT-RAM bits only LUTs and FFs.
    /// </summary>
    public static bool Applies(string term, int resource) => term switch
    {
        "ln_brams" => resource == 3,
        "acc_lutram_bits" => resource < 2,
        _ => true,
    };

    /// <summary>The value of term <paramref name="term"/> for design <paramref name="d"/>.</summary>
    public static double Term(DesignModel d, string term)
    {
        ArgumentNullException.ThrowIfNull(d);
        double Lanes(bool on) => on ? d.Cols : 0;
        return term switch
        {
            "one" => 1,
            "pes" => d.Pes,
            "multipliers" => d.MulLogic ? 0 : d.DspPacking ? d.Pes / 2.0 : d.Pes,
            "tiles" => (double)(d.Rows / d.TileRows) * (d.Cols / d.TileCols),
            "pair_bits" => PairDelayBits(d),
            "pairs_on" => d.Int4Pairs ? 1 : 0,
            "edge" => d.Rows + d.Cols,
            "cols" => d.Cols,
            "sp_brams" => d.SpBanks * BramsPerBank(d.SpDepth / d.SpBanks, d.SpRowBytes * 8),
            "sp_banks" => d.SpBanks,
            "acc_brams" => d.AccBanks * BramsPerBank(d.AccDepth / d.AccBanks, d.Cols * 32),
            "acc_banks" => d.AccBanks,
            "acc_lutram_bits" => d.AccDepth / d.AccBanks <= LutRamRows ? (double)d.AccDepth * d.Cols * 32 : 0,
            "ln_brams" => d.UnitLayerNorm ? LayerNormCacheBrams(d) : 0,
            "axi_bits" => d.AxiDataBits,
            "tbuf_bytes" => d.TransposedLoad ? (double)d.SpRowBytes * d.SpRowBytes : 0,
            "rq_lanes" => d.RequantLanes,
            "gelu_lanes" => Lanes(d.UnitGelu),
            "gelu_on" => d.UnitGelu ? 1 : 0,
            "softmax_lanes" => Lanes(d.UnitSoftmax),
            "softmax_on" => d.UnitSoftmax ? 1 : 0,
            "layernorm_lanes" => Lanes(d.UnitLayerNorm),
            "layernorm_on" => d.UnitLayerNorm ? 1 : 0,
            "queue_entries" => d.LoadQueueDepth + d.ExecQueueDepth + d.StoreQueueDepth,
            _ => throw new ArgumentException($"unknown resource-model term '{term}'", nameof(term)),
        };
    }

    /// <summary>
    /// Bits of the paired array's second B chain (<c>array.int4_pairs</c>, <c>hwgen_array</c>'s <c>gen_mid_skew</c>): tile
    /// column c's TILE_COLS weights and its select, delayed NTR/2 + c cycles; 0 without the key (2,232 on default).
    /// </summary>
    public static double PairDelayBits(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (!d.Int4Pairs)
        {
            return 0;
        }

        int ntr = d.Rows / d.TileRows, ntc = d.Cols / d.TileCols;
        return ((ntr / 2.0 * ntc) + (ntc * (ntc - 1) / 2.0)) * ((d.TileCols * 8) + 1);
    }

    /// <summary>
    /// Block RAMs of the LayerNorm unit's three caches (<c>hwgen_store_post</c>'s GB_DEPTH = min(blocks of the widest
    /// normalize row, half the accumulator rows) words of COLS × 48 (γ/β), × 16 (multiplier) and × 32 (residual) bits),
    /// by <see cref="BramsPerBank"/>: 6 on tiny, 0 once the accumulator is so small the caches go to LUT RAM.
    /// </summary>
    public static double LayerNormCacheBrams(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var depth = Math.Min((Generator.Isa.IsaSpec.MaxNormalizeWidth + d.Cols - 1) / d.Cols, d.AccDepth / 2);
        return BramsPerBank(depth, d.Cols * 48) + BramsPerBank(depth, d.Cols * 16) + BramsPerBank(depth, d.Cols * 32);
    }

    /// <summary>
    /// Fewest 7-series block RAMs (36 Kb units, an 18 Kb half counting 0.5) that hold a simple dual-port memory of
    /// <paramref name="depth"/> words of <paramref name="width"/> bits: the best of the RAMB18 and RAMB36 aspect ratios
    /// (RAMB18: 16K×1 … 512×36; RAMB36: 32K×1 … 512×72). Yosys puts a memory of 64 words or fewer in LUT RAM
    /// (measured: the 64-row accumulator banks of <c>fit/fit-4x4-lean.yaml</c>), so those count none.
    /// </summary>
    public static double BramsPerBank(int depth, int width)
    {
        if (depth <= LutRamRows)
        {
            return 0;
        }

        (int Depth, int Width, double Size)[] shapes =
        [
            (16384, 1, 0.5), (8192, 2, 0.5), (4096, 4, 0.5), (2048, 9, 0.5), (1024, 18, 0.5), (512, 36, 0.5),
            (32768, 1, 1), (16384, 2, 1), (8192, 4, 1), (4096, 9, 1), (2048, 18, 1), (1024, 36, 1), (512, 72, 1),
        ];
        return shapes.Min(s => Math.Ceiling((double)depth / s.Depth) * Math.Ceiling((double)width / s.Width) * s.Size);
    }

    /// <summary>Module <paramref name="module"/>'s measured resources from a hierarchical synthesis (<see cref="YosysModules"/>).</summary>
    public static FpgaCounts Measured(IReadOnlyDictionary<string, FpgaCounts> byModule, string module)
    {
        ArgumentNullException.ThrowIfNull(byModule);
        FpgaCounts Of(string name) => byModule.GetValueOrDefault(name, FpgaCounts.Zero);
        return module switch
        {
            "array" => Of("hwgen_array"),
            "exec" => Of("hwgen_exec_unit") - Of("hwgen_array"),
            "scratchpad" => Of("hwgen_scratchpad"),
            "accumulator" => Of("hwgen_accumulator"),
            "load" => Of("hwgen_load_unit"),
            "requant" => Of("hwgen_store_rq"),
            "gelu" => Of("hwgen_gelu"),
            "softmax" => Of("hwgen_softmax"),
            "layernorm" => Of("hwgen_layernorm"),
            "store" => Of("hwgen_store_unit") - Of("hwgen_store_rq") - Of("hwgen_gelu") - Of("hwgen_softmax") - Of("hwgen_layernorm"),
            "frontend" => Of("hwgen_frontend"),
            "regs" => Of("hwgen_axil_regs"),
            "glue" => Of("hwgen_top") - Modules.Where(m => m != "glue").Aggregate(FpgaCounts.Zero, (s, m) => s + Measured(byModule, m)),
            _ => throw new ArgumentException($"unknown resource-model module '{module}'", nameof(module)),
        };
    }
}
