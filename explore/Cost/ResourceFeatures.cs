using HwGen.Generator.Design;
using HwGen.Verif.Synth;

namespace HwGen.Explore.Cost;

/// <summary>
/// The FPGA resource model's modules: which synthesized modules each one covers, and the configuration terms its
/// LUTs, FFs, DSPs and block RAMs scale with (each resource is a linear combination of its module's terms).
/// </summary>
public static class ResourceFeatures
{
    /// <summary>The model's modules in a fixed order.</summary>
    public static IReadOnlyList<string> Modules { get; } =
        ["array", "exec", "scratchpad", "accumulator", "load", "requant", "gelu", "softmax", "layernorm", "store", "frontend", "regs", "glue"];

    /// <summary>Each module's terms, by name.</summary>
    public static IReadOnlyList<string> Terms(string module) => module switch
    {
        "array" => ["pes", "multipliers", "tiles"],
        "exec" => ["edge", "one"],
        "scratchpad" => ["sp_brams", "sp_banks", "one"],
        "accumulator" => ["acc_brams", "acc_banks", "one"],
        "load" => ["axi_bits", "tbuf_bytes", "one"],
        "requant" => ["rq_lanes", "one"],
        "gelu" => ["gelu_lanes", "gelu_on"],
        "softmax" => ["softmax_lanes", "softmax_on"],
        "layernorm" => ["layernorm_lanes", "layernorm_on"],
        "store" => ["cols", "axi_bits", "one"],
        "frontend" => ["queue_entries", "one"],
        "regs" => ["one"],
        "glue" => ["axi_bits", "one"],
        _ => throw new ArgumentException($"unknown resource-model module '{module}'", nameof(module)),
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
            "edge" => d.Rows + d.Cols,
            "cols" => d.Cols,
            "sp_brams" => d.SpBanks * BramsPerBank(d.SpDepth / d.SpBanks, d.SpRowBytes * 8),
            "sp_banks" => d.SpBanks,
            "acc_brams" => d.AccBanks * BramsPerBank(d.AccDepth / d.AccBanks, d.Cols * 32),
            "acc_banks" => d.AccBanks,
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
    /// Fewest 7-series block RAMs (36 Kb units, an 18 Kb half counting 0.5) that hold a simple dual-port memory of
    /// <paramref name="depth"/> words of <paramref name="width"/> bits: the best of the RAMB18 and RAMB36 aspect ratios
    /// (RAMB18: 16K×1 … 512×36; RAMB36: 32K×1 … 512×72). Yosys puts a memory of 64 words or fewer in LUT RAM
    /// (measured: the 64-row accumulator banks of <c>fit/fit-4x4-lean.yaml</c>), so those count none.
    /// </summary>
    public static double BramsPerBank(int depth, int width)
    {
        if (depth <= 64)
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
