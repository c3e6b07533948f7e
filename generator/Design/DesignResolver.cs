using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using HwGen.Generator.Config;

namespace HwGen.Generator.Design;

/// <summary>Validates a <see cref="RawConfig"/> (collecting every error) and computes the <see cref="DesignModel"/>.</summary>
public static class DesignResolver
{
    /// <summary>Reads, validates and resolves a configuration file.</summary>
    public static DesignModel LoadFile(string path)
    {
        var (raw, errors) = ConfigReader.ReadFileCollecting(path);
        return Resolve(raw, path, errors);
    }

    /// <summary>Parses, validates and resolves configuration text.</summary>
    public static DesignModel LoadText(string yaml, string source = "<config>")
    {
        var (raw, errors) = ConfigReader.ParseCollecting(yaml, source);
        return Resolve(raw, source, errors);
    }

    /// <summary>Validates and resolves; throws <see cref="ConfigException"/> with every error.</summary>
    public static DesignModel Resolve(RawConfig raw, string source, IReadOnlyList<ConfigError>? structuralErrors = null)
    {
        var errors = new List<ConfigError>(structuralErrors ?? []);
        int? Line(string p) => raw.Lines.TryGetValue(p, out var l) ? l : null;
        void Error(string p, string m) => errors.Add(new ConfigError(p, m, Line(p)));

        int Range(string p, int? value, int? fallback, int min, int max, bool pow2 = false)
        {
            if (value is null)
            {
                if (fallback is null)
                {
                    Error(p, "is required");
                    return min;
                }

                return fallback.Value;
            }

            var v = value.Value;
            if (v < min || v > max)
            {
                Error(p, $"must be between {min} and {max}, got {v}");
                return min;
            }

            if (pow2 && !BitOperations.IsPow2(v))
            {
                Error(p, $"must be a power of two, got {v}");
                return min;
            }

            return v;
        }

        var name = raw.Name ?? string.Empty;
        if (raw.Name is null)
        {
            Error("name", "is required");
        }
        else if (name.Length == 0 || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            Error("name", $"must be 1-64 letters, digits, '-' or '_', got '{name}'");
        }

        var rows = Range("array.rows", raw.Rows, null, 2, 64);
        var cols = Range("array.cols", raw.Cols, null, 2, 64);
        var tileRows = Range("array.tile_rows", raw.TileRows, 1, 1, 64);
        var tileCols = Range("array.tile_cols", raw.TileCols, 1, 1, 64);
        if (rows % tileRows != 0)
        {
            Error("array.tile_rows", $"must divide array.rows ({rows}), got {tileRows}");
        }

        if (cols % tileCols != 0)
        {
            Error("array.tile_cols", $"must divide array.cols ({cols}), got {tileCols}");
        }

        var dataflow = raw.Dataflow ?? "both";
        if (dataflow is not ("ws" or "os" or "both"))
        {
            Error("array.dataflow", $"must be one of ws, os, both, got '{dataflow}'");
        }

        var dspPacking = raw.DspPacking ?? false;
        if (dspPacking && tileCols % 2 != 0)
        {
            Error("array.dsp_packing", $"pairs horizontally adjacent PEs inside a tile (they share one activation), so array.tile_cols must be even, got {tileCols}; set tile_cols: 2");
        }

        var multiplier = raw.Multiplier ?? "dsp";
        if (multiplier is not ("dsp" or "logic"))
        {
            Error("array.multiplier", $"must be one of dsp, logic, got '{multiplier}'");
        }
        else if (multiplier == "logic" && dspPacking)
        {
            Error("array.dsp_packing", "packs two products into one DSP multiplier; it needs array.multiplier: dsp");
        }

        var requantLanes = Range("requant.lanes", raw.RequantLanes, cols, 1, 64);
        if (requantLanes > cols || cols % requantLanes != 0)
        {
            Error("requant.lanes", $"must divide array.cols ({cols}), got {requantLanes}");
        }

        var digitBits = raw.RequantDigitBits ?? 32;
        if (digitBits is not (1 or 2 or 4 or 8 or 16 or 32))
        {
            Error("requant.digit_bits", $"must be one of 1, 2, 4, 8, 16, 32, got {digitBits}");
            digitBits = 32;
        }

        var counterBits = Range("counters.bits", raw.CounterBits, 64, 16, 64);
        var counterSet = raw.CounterSet ?? "all";
        if (counterSet is not ("all" or "cycles"))
        {
            Error("counters.set", $"must be one of all, cycles, got '{counterSet}'");
        }

        var transposedLoad = raw.TransposedLoad ?? true;
        if (!transposedLoad && dataflow is ("os" or "both"))
        {
            Error("scratchpad.transposed_load", $"output-stationary GEMMs load A transposed, so array.dataflow {dataflow} needs it; use dataflow: ws or transposed_load: true");
        }

        var spKib = Range("scratchpad.kib", raw.ScratchpadKib, 64, 1, 4096, pow2: true);
        var spBanks = Range("scratchpad.banks", raw.ScratchpadBanks, 4, 1, 32, pow2: true);
        var accKib = Range("accumulator.kib", raw.AccumulatorKib, 16, 1, 4096, pow2: true);
        var accBanks = Range("accumulator.banks", raw.AccumulatorBanks, 2, 1, 32, pow2: true);
        var axiBits = Range("axi.data_bits", raw.AxiDataBits, 128, 32, 512, pow2: true);
        var outstanding = Range("axi.max_outstanding", raw.AxiMaxOutstanding, 8, 1, 32);
        var lq = Range("queues.load", raw.LoadQueue, 8, 1, 256, pow2: true);
        var eq = Range("queues.exec", raw.ExecQueue, 8, 1, 256, pow2: true);
        var sq = Range("queues.store", raw.StoreQueue, 8, 1, 256, pow2: true);

        var spRowBytes = Math.Max(rows, cols);
        var accRowBytes = cols * 4;
        var spDepth = Depth(spKib, spRowBytes, spBanks);
        var accDepth = Depth(accKib, accRowBytes, accBanks);
        var maxDim = Math.Max(rows, cols);

        // A double-buffered tile needs at least two operand tiles in each scratchpad half
        // and two output tiles in the accumulator.
        if (spDepth < 4 * maxDim)
        {
            Error("scratchpad.kib", $"holds {spDepth} rows of {spRowBytes} B; at least {4 * maxDim} rows (two double-buffered {maxDim}x{maxDim} operand tiles) are needed");
        }
        else if (spDepth / spBanks < maxDim)
        {
            Error("scratchpad.banks", $"{spBanks} banks of {spDepth / spBanks} rows are smaller than one {maxDim}-row tile");
        }

        if (accDepth < 2 * maxDim)
        {
            Error("accumulator.kib", $"holds {accDepth} rows of {accRowBytes} B; at least {2 * maxDim} rows (two {maxDim}-row output tiles) are needed");
        }
        else if (accDepth / accBanks < maxDim)
        {
            Error("accumulator.banks", $"{accBanks} banks of {accDepth / accBanks} rows are smaller than one {maxDim}-row tile");
        }

        if (spDepth > 1 << 20)
        {
            Error("scratchpad.kib", $"gives {spDepth} rows; the ISA addresses at most {1 << 20}");
        }

        if (accDepth > 1 << 20)
        {
            Error("accumulator.kib", $"gives {accDepth} rows; the ISA addresses at most {1 << 20}");
        }

        if (axiBits / 8 > 4096)
        {
            Error("axi.data_bits", "too wide");
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(source, errors);
        }

        var model = new DesignModel
        {
            Name = name,
            Rows = rows,
            Cols = cols,
            TileRows = tileRows,
            TileCols = tileCols,
            SupportWs = dataflow is "ws" or "both" ? 1 : 0,
            SupportOs = dataflow is "os" or "both" ? 1 : 0,
            SpKib = spKib,
            SpRowBytes = spRowBytes,
            SpDepth = spDepth,
            SpBanks = spBanks,
            SpAddrBits = AddrBits(spDepth),
            AccKib = accKib,
            AccRowBytes = accRowBytes,
            AccDepth = accDepth,
            AccBanks = accBanks,
            AccAddrBits = AddrBits(accDepth),
            AxiDataBits = axiBits,
            DmaOutstanding = outstanding,
            LoadQueueDepth = lq,
            ExecQueueDepth = eq,
            StoreQueueDepth = sq,
            UnitGelu = raw.Gelu ?? true ? 1 : 0,
            UnitSoftmax = raw.Softmax ?? true ? 1 : 0,
            UnitLayerNorm = raw.LayerNorm ?? true ? 1 : 0,
            DspPacking = dspPacking ? 1 : 0,
            MulLogic = multiplier == "logic" ? 1 : 0,
            PsumBits = PsumWidth(rows),
            RequantLanes = requantLanes,
            RequantDigitBits = digitBits,
            CounterBits = counterBits,
            CountersAll = counterSet == "cycles" ? 0 : 1,
            TransposedLoad = transposedLoad ? 1 : 0,
        };
        return model with { ConfigSha256 = Sha256(ResolvedYaml(model)) };
    }

    /// <summary>Rows of a memory: the largest power-of-two bank depth that fits, times the banks.</summary>
    private static int Depth(int kib, int rowBytes, int banks)
    {
        var rowsFit = (long)kib * 1024 / rowBytes / banks;
        if (rowsFit < 1)
        {
            return 0;
        }

        return (int)(BitOperations.RoundUpToPowerOf2((ulong)rowsFit + 1) / 2) * banks;
    }

    /// <summary>
    /// Signed bits that hold the sum of <paramref name="rows"/> int8×int8 products exactly: each
    /// product lies in [−16256, 16384], so the sum needs 2^(bits−1) − 1 ≥ 16384·rows.
    /// </summary>
    public static int PsumWidth(int rows)
    {
        var bits = 2;
        while (((1L << (bits - 1)) - 1) < 16384L * rows)
        {
            bits++;
        }

        return Math.Min(32, bits);
    }

    private static int AddrBits(int depth) => Math.Max(1, BitOperations.Log2((uint)(depth - 1)) + 1);

    /// <summary>The canonical resolved configuration, written next to the RTL and hashed into every banner.</summary>
    public static string ResolvedYaml(DesignModel d)
    {
        var inv = CultureInfo.InvariantCulture;
        var dataflow = d.SupportWs == 1 && d.SupportOs == 1 ? "both" : d.SupportWs == 1 ? "ws" : "os";
        var sb = new StringBuilder();
        sb.Append(inv, $"name: {d.Name}\n");
        sb.Append(inv, $"array:\n  rows: {d.Rows}\n  cols: {d.Cols}\n  tile_rows: {d.TileRows}\n  tile_cols: {d.TileCols}\n  dataflow: {dataflow}\n  dsp_packing: {(d.DspPacking == 1 ? "true" : "false")}\n  multiplier: {(d.MulLogic == 1 ? "logic" : "dsp")}\n");
        sb.Append(inv, $"scratchpad:\n  kib: {d.SpKib}\n  banks: {d.SpBanks}\n  transposed_load: {(d.TransposedLoad == 1 ? "true" : "false")}\n");
        sb.Append(inv, $"accumulator:\n  kib: {d.AccKib}\n  banks: {d.AccBanks}\n");
        sb.Append(inv, $"axi:\n  data_bits: {d.AxiDataBits}\n  max_outstanding: {d.DmaOutstanding}\n");
        sb.Append(inv, $"queues:\n  load: {d.LoadQueueDepth}\n  exec: {d.ExecQueueDepth}\n  store: {d.StoreQueueDepth}\n");
        sb.Append(inv, $"units:\n  gelu: {(d.UnitGelu == 1 ? "true" : "false")}\n  softmax: {(d.UnitSoftmax == 1 ? "true" : "false")}\n  layernorm: {(d.UnitLayerNorm == 1 ? "true" : "false")}\n");
        sb.Append(inv, $"requant:\n  lanes: {d.RequantLanes}\n  digit_bits: {d.RequantDigitBits}\n");
        sb.Append(inv, $"counters:\n  bits: {d.CounterBits}\n  set: {(d.CountersAll == 1 ? "all" : "cycles")}\n");
        sb.Append(inv, $"# derived\n# sp_row_bytes: {d.SpRowBytes}\n# sp_depth: {d.SpDepth}\n# acc_row_bytes: {d.AccRowBytes}\n# acc_depth: {d.AccDepth}\n# psum_bits: {d.PsumBits}\n# requant_cycles_per_row: {d.RequantCyclesPerRow}\n");
        return sb.ToString();
    }

    private static string Sha256(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
