using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using HwGen.Generator.Config;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Generator.Rendering;
using HwGen.Software.Compiler;
using HwGen.Software.Programs;
using HwGen.Software.References;
using HwGen.Software.Workloads;

namespace HwGen.Verif;

/// <summary>The fuzzer's draws: configurations, cases and their labels for the summary, all from one seeded stream.</summary>
public sealed partial class Fuzzer
{
    private static readonly int[] AxiWidths = [32, 64, 128, 256];
    private static readonly int[] SpKib = [1, 2, 4, 8, 16, 32];
    private static readonly int[] AccKib = [1, 2, 4, 8, 16, 32];
    private static readonly int[] Banks = [1, 2, 4];
    private static readonly int[] Queues = [1, 2, 4, 8, 16];
    private static readonly int[] DigitBits = [32, 32, 32, 16, 8, 4, 2, 1];
    private static readonly int[] CounterWidths = [16, 24, 32, 48, 64];
    private static readonly string[] Dataflows = ["ws", "os", "both"];

    /// <summary>The case's kind for the summary: workload label, dataflow (GEMMs; <c>rows</c> otherwise) and whether the memory model pushes back.</summary>
    public static string Kind(FuzzCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var dataflow = !c.IsGemm ? "own-dataflow" : c.Dataflow == Dataflow.Ws ? "ws" : "os";
        return $"{c.WorkloadLabel}/{dataflow}/{(c.StallPercent > 0 || c.Jitter > 0 ? "backpressure" : "no-backpressure")}";
    }

    /// <summary>The RTL features a drawn configuration exercises, for the summary's per-feature counts.</summary>
    public static IEnumerable<string> Features(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        yield return d.SupportWs && d.SupportOs ? "dataflow_both" : d.SupportWs ? "dataflow_ws" : "dataflow_os";
        yield return d.DspPacking ? "dsp_packing" : d.MulLogic ? "logic_multipliers" : "dsp_multipliers";
        yield return d.RequantLanes < d.Cols ? "serial_requant" : "parallel_requant";
        yield return string.Create(CultureInfo.InvariantCulture, $"requant_digits_{d.RequantDigitBits}");
        yield return d.TileRows > 1 || d.TileCols > 1 ? "combinational_tiles" : "registered_pes";
        yield return d.UnitGelu ? "unit_gelu" : "no_unit_gelu";
        yield return d.UnitSoftmax ? "unit_softmax" : "no_unit_softmax";
        yield return d.UnitLayerNorm ? "unit_layernorm" : "no_unit_layernorm";
        yield return d.TransposedLoad ? "transposed_load" : "no_transposed_load";
        yield return d.Int4Load ? "int4_load" : "no_int4_load";
        yield return d.RequantPerColumn ? "per_column_requant" : "no_per_column_requant";
        yield return d.CountersAll ? "counters_all" : "counters_cycles_only";
        if (d.CounterBits < 64)
        {
            yield return "narrow_counters";
        }

        if (d.LoadQueueDepth == 1 || d.ExecQueueDepth == 1 || d.StoreQueueDepth == 1)
        {
            yield return "one_entry_queue";
        }
    }

    /// <summary>
    /// Draws a valid configuration (retrying draws the validator rejects) and its YAML text. Every key of
    /// <see cref="ConfigSchema"/> that changes the RTL is drawn: array shape and tiles, dataflows, DSP packing and
    /// multiplier style, memories and banks, the transposing buffer, AXI width and outstanding bursts, queues, the
    /// post-processing units, requantizer lanes and digits, counter width and set.
    /// </summary>
    public static (string Yaml, DesignModel Design) DrawConfig(SeededRandom rng, string name)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (var attempt = 0; ; attempt++)
        {
            var rows = 2 + rng.Next(15);
            var cols = 2 + rng.Next(15);
            var tileRows = Divisor(rng, rows);
            var tileCols = Divisor(rng, cols);
            var dataflow = Pick(rng, Dataflows);

            // FPGA and lean options (array.dsp_packing, array.multiplier, requant, counters, transposed_load) change the RTL, never a result bit.
            var packing = tileCols % 2 == 0 && rng.Next(3) == 0;
            var logic = !packing && rng.Next(5) == 0;
            var transposed = dataflow != "ws" || rng.Next(3) != 0;
            var int4 = ((7 * rows) + cols) % 3 != 0; // derived, not drawn: every other draw of a seed stays as it was
            var perColumn = ((5 * cols) + rows) % 4 != 0; // derived too
            var yaml = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"# Drawn by hwgen fuzz.\nname: {name}\n")
                .Append(CultureInfo.InvariantCulture, $"array:\n  rows: {rows}\n  cols: {cols}\n  tile_rows: {tileRows}\n  tile_cols: {tileCols}\n  dataflow: {dataflow}\n")
                .Append(CultureInfo.InvariantCulture, $"  dsp_packing: {Bool(packing)}\n  multiplier: {(logic ? "logic" : "dsp")}\n")
                .Append(CultureInfo.InvariantCulture, $"scratchpad:\n  kib: {Pick(rng, SpKib)}\n  banks: {Pick(rng, Banks)}\n  transposed_load: {Bool(transposed)}\n  int4_load: {Bool(int4)}\n")
                .Append(CultureInfo.InvariantCulture, $"accumulator:\n  kib: {Pick(rng, AccKib)}\n  banks: {Pick(rng, Banks)}\n")
                .Append(CultureInfo.InvariantCulture, $"axi:\n  data_bits: {Pick(rng, AxiWidths)}\n  max_outstanding: {1 + rng.Next(8)}\n")
                .Append(CultureInfo.InvariantCulture, $"queues:\n  load: {Pick(rng, Queues)}\n  exec: {Pick(rng, Queues)}\n  store: {Pick(rng, Queues)}\n")
                .Append(CultureInfo.InvariantCulture, $"units:\n  gelu: {Bool(rng.Next(4) != 0)}\n  softmax: {Bool(rng.Next(4) != 0)}\n  layernorm: {Bool(rng.Next(4) != 0)}\n")
                .Append(CultureInfo.InvariantCulture, $"requant:\n  lanes: {(rng.Next(2) == 0 ? cols : Divisor(rng, cols))}\n  digit_bits: {Pick(rng, DigitBits)}\n  per_column: {Bool(perColumn)}\n")
                .Append(CultureInfo.InvariantCulture, $"counters:\n  bits: {Pick(rng, CounterWidths)}\n  set: {(rng.Next(5) == 0 ? "cycles" : "all")}\n");
            var text = yaml.ToString();
            try
            {
                return (text, DesignResolver.LoadText(text, name + ".yaml"));
            }
            catch (ConfigException) when (attempt < 200)
            {
                // Memories too small for the array: draw again.
            }
        }
    }

    /// <summary>
    /// Draws a workload the design has the units for (GEMM with or without ReLU, GEMM with fused GELU, Softmax with or
    /// without the causal mask, LayerNorm with or without the residual and the per-column input rescale, residual add,
    /// GELU with per-tensor or per-column constants, a short bert-tiny layer or a stack of two; a GEMM's weights int4 in a
    /// third of the cases where the design has the unpacker), AXI randomization and, in <paramref name="faultPercent"/>
    /// percent of cases, a fault. One case in three (by its seed, so the other draws stay as they were) runs the 16-bit
    /// residual-stream prologue (<see cref="WidePrologue"/>) first when the design has room for it.
    /// </summary>
    public static FuzzCase DrawCase(SeededRandom rng, DesignModel design, string configPath, int maxGemmDim = 96, int faultPercent = 25)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(design);
        var kinds = new List<(string Kind, int Weight)> { ("gemm", 6) };
        if (design.UnitGelu)
        {
            kinds.AddRange([("gemm+gelu", 2), ("gelu", 2)]);
        }

        if (design.UnitSoftmax)
        {
            kinds.Add(("softmax", 3));
        }

        if (design.UnitLayerNorm)
        {
            kinds.AddRange([("layernorm", 3), ("resadd", 2)]);
        }

        if (design.UnitGelu && design.UnitSoftmax && design.UnitLayerNorm)
        {
            kinds.Add(("bert-tiny", 1));
        }

        var roll = rng.Next(kinds.Sum(k => k.Weight));
        var kind = kinds.First(k => (roll -= k.Weight) < 0).Kind;
        int Dim() => rng.Next(4) == 0 ? 1 + rng.Next(8) : 1 + rng.Next(maxGemmDim);
        int Rows() => rng.Next(4) == 0 ? 1 + rng.Next(4) : 1 + rng.Next(48);
        int Cols() => rng.Next(4) == 0 ? 1 + rng.Next(8) : 1 + rng.Next(320);
        string Flag(string name) => rng.Next(2) == 1 ? "," + name + "=1" : string.Empty;

        // LayerNorm's column mode (F2) in a third of the cases: shift 16 (multipliers 2^15..2^16-1) or any, with the 3-row
        // γ/β layout and per-column residual multipliers A_j drawn by the workload (res_cols=1).
        string InShift() => rng.Next(3) != 0 ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $",in_shift={(rng.Next(2) == 0 ? 16 : 1 + rng.Next(47))},res_cols=1");
        var inv = CultureInfo.InvariantCulture;
        var workload = kind switch
        {
            "gemm" => string.Create(inv, $"gemm:M={Dim()},N={Dim()},K={Dim()}{Flag("relu")}"),
            "gemm+gelu" => string.Create(inv, $"gemm+gelu:M={Dim()},N={Dim()},K={Dim()}"),
            "softmax" => string.Create(inv, $"softmax:rows={Rows()},cols={Cols()}{Flag("causal")}"),
            "layernorm" or "resadd" => string.Create(inv, $"{kind}:rows={Rows()},cols={Cols()}{Flag("residual")}{(kind == "layernorm" ? InShift() : string.Empty)}"),
            "gelu" => string.Create(inv, $"gelu:rows={Rows()},cols={Cols()}{Flag("percol")}"),
            _ => string.Create(inv, $"bert-tiny:seq={1 + rng.Next(8)}{Flag("causal")}{(rng.Next(5) == 0 ? ",layers=2" : string.Empty)}"),
        };
        var dataflow = design.SupportWs && design.SupportOs ? (rng.Next(2) == 0 ? Dataflow.Ws : Dataflow.Os)
            : design.SupportWs ? Dataflow.Ws : Dataflow.Os;
        var seed = 1 + (rng.NextU64() % 999_999);
        var latency = 1 + rng.Next(8);
        var stall = rng.Next(3) == 0 ? 0 : rng.Next(60);
        var jitter = rng.Next(2) == 0 ? 0 : rng.Next(20);
        var fault = rng.Next(100) < faultPercent ? FaultInjection.Kinds[1 + rng.Next(FaultInjection.Kinds.Count - 1)] : FuzzFault.None;
        var pick = rng.NextU64();

        // int4 weights for a third of the GEMMs where the design unpacks them (by the seed: the other draws stay as they were),
        // with a scale per output channel where the design has per-column multipliers (store col_mult).
        if (kind == "gemm" && design.Int4Load && design.Cols % 2 == 0 && (seed / 3) % 3 == 0)
        {
            workload += design.RequantPerColumn ? ",wbits=4" : ",wbits=4,chscale=0";
        }

        return new FuzzCase(configPath, workload, dataflow, seed, latency, stall, jitter, fault, fault == FuzzFault.None ? 0 : pick,
            seed % 3 == 0 && WidePrologue.Fits(design));
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static int Divisor(SeededRandom rng, int n)
    {
        var divisors = Enumerable.Range(1, n).Where(t => n % t == 0).ToArray();
        return divisors[rng.Next(divisors.Length)];
    }

    private static T Pick<T>(SeededRandom rng, T[] values) => values[rng.Next(values.Length)];
}
