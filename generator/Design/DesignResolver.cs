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
        void Error(string p, string m) => errors.Add(new ConfigError(p, m, raw.Lines.TryGetValue(p, out var l) ? l : null));

        // Types, ranges and defaults of single keys come from the table; the rules between keys follow.
        var c = ResolvedConfig.Resolve(raw, Error);
        var (rows, cols) = (c[ConfigSchema.Rows], c[ConfigSchema.Cols]);
        CrossKeyRules(c, Error);

        var spRowBytes = Math.Max(rows, cols);
        var accRowBytes = cols * 4;
        var spBanks = c[ConfigSchema.ScratchpadBanks];
        var accBanks = c[ConfigSchema.AccumulatorBanks];
        var spDepth = Depth(c[ConfigSchema.ScratchpadKib], spRowBytes, spBanks);
        var accDepth = Depth(c[ConfigSchema.AccumulatorKib], accRowBytes, accBanks);
        MemoryRules(Math.Max(rows, cols), spRowBytes, spDepth, spBanks, accRowBytes, accDepth, accBanks, Error);
        if (errors.Count > 0)
        {
            throw new ConfigException(source, errors);
        }

        var dataflow = c[ConfigSchema.Dataflow];
        var model = new DesignModel
        {
            Config = c,
            Name = c[ConfigSchema.Name],
            Rows = rows,
            Cols = cols,
            TileRows = c[ConfigSchema.TileRows],
            TileCols = c[ConfigSchema.TileCols],
            SupportWs = dataflow is "ws" or "both",
            SupportOs = dataflow is "os" or "both",
            SpKib = c[ConfigSchema.ScratchpadKib],
            SpRowBytes = spRowBytes,
            SpDepth = spDepth,
            SpBanks = spBanks,
            SpAddrBits = AddrBits(spDepth),
            AccKib = c[ConfigSchema.AccumulatorKib],
            AccRowBytes = accRowBytes,
            AccDepth = accDepth,
            AccBanks = accBanks,
            AccAddrBits = AddrBits(accDepth),
            AxiDataBits = c[ConfigSchema.AxiDataBits],
            DmaOutstanding = c[ConfigSchema.AxiMaxOutstanding],
            LoadQueueDepth = c[ConfigSchema.LoadQueue],
            ExecQueueDepth = c[ConfigSchema.ExecQueue],
            StoreQueueDepth = c[ConfigSchema.StoreQueue],
            UnitGelu = c[ConfigSchema.Gelu],
            UnitSoftmax = c[ConfigSchema.Softmax],
            UnitLayerNorm = c[ConfigSchema.LayerNorm],
            DspPacking = c[ConfigSchema.DspPacking],
            MulLogic = c[ConfigSchema.Multiplier] == "logic",
            PsumBits = PsumWidth(rows),
            RequantLanes = c[ConfigSchema.RequantLanes],
            RequantDigitBits = c[ConfigSchema.RequantDigitBits],
            RequantPerColumn = c[ConfigSchema.RequantPerColumn],
            CounterBits = c[ConfigSchema.CounterBits],
            CountersAll = c[ConfigSchema.CounterSet] == "all",
            TransposedLoad = c[ConfigSchema.TransposedLoad],
            Int4Load = c[ConfigSchema.Int4Load],
            Int4Pairs = c[ConfigSchema.Int4Pairs],
            MergeBursts = c[ConfigSchema.MergeBursts],
        };
        return model with { ConfigSha256 = Sha256(ResolvedYaml(model)) };
    }

    /// <summary>Rules that relate two or more keys.</summary>
    private static void CrossKeyRules(ResolvedConfig c, Action<string, string> error)
    {
        var (rows, cols) = (c[ConfigSchema.Rows], c[ConfigSchema.Cols]);
        var (tileRows, tileCols) = (c[ConfigSchema.TileRows], c[ConfigSchema.TileCols]);
        if (rows % tileRows != 0)
        {
            error("array.tile_rows", $"must divide array.rows ({rows}), got {tileRows}");
        }

        if (cols % tileCols != 0)
        {
            error("array.tile_cols", $"must divide array.cols ({cols}), got {tileCols}");
        }

        if (c[ConfigSchema.DspPacking] && tileCols % 2 != 0)
        {
            error("array.dsp_packing", $"pairs horizontally adjacent PEs inside a tile (they share one activation), so array.tile_cols must be even, got {tileCols}; set tile_cols: 2");
        }

        if (c[ConfigSchema.DspPacking] && c[ConfigSchema.Multiplier] == "logic")
        {
            error("array.dsp_packing", "packs two products into one DSP multiplier; it needs array.multiplier: dsp");
        }

        var lanes = c[ConfigSchema.RequantLanes];
        if (lanes > cols || cols % lanes != 0)
        {
            error("requant.lanes", $"must divide array.cols ({cols}), got {lanes}");
        }

        var dataflow = c[ConfigSchema.Dataflow];
        if (c[ConfigSchema.Int4Pairs] && dataflow == "ws")
        {
            error("array.int4_pairs", "int4 pairs are an output-stationary compute, so they need array.dataflow os or both");
        }

        if (c[ConfigSchema.Int4Pairs] && (rows / Math.Max(1, c[ConfigSchema.TileRows]) % 2 != 0 || cols % 2 != 0))
        {
            error("array.int4_pairs", $"int4 pairs split the PE rows in two halves of whole tile rows and pack two weights a byte, so they need an even number of tile rows (rows / tile_rows = {rows} / {c[ConfigSchema.TileRows]}) and even cols ({cols})");
        }

        if (!c[ConfigSchema.TransposedLoad] && dataflow is ("os" or "both"))
        {
            error("scratchpad.transposed_load", $"output-stationary GEMMs load A transposed, so array.dataflow {dataflow} needs it; use dataflow: ws or transposed_load: true");
        }
    }

    /// <summary>
    /// A double-buffered tile needs at least two operand tiles in each scratchpad half and two
    /// output tiles in the accumulator; the ISA addresses at most 2^20 rows.
    /// </summary>
    private static void MemoryRules(int maxDim, int spRowBytes, int spDepth, int spBanks, int accRowBytes, int accDepth, int accBanks, Action<string, string> error)
    {
        if (spDepth < 4 * maxDim)
        {
            error("scratchpad.kib", $"holds {spDepth} rows of {spRowBytes} B; at least {4 * maxDim} rows (two double-buffered {maxDim}x{maxDim} operand tiles) are needed");
        }
        else if (spDepth / spBanks < maxDim)
        {
            error("scratchpad.banks", $"{spBanks} banks of {spDepth / spBanks} rows are smaller than one {maxDim}-row tile");
        }

        if (accDepth < 2 * maxDim)
        {
            error("accumulator.kib", $"holds {accDepth} rows of {accRowBytes} B; at least {2 * maxDim} rows (two {maxDim}-row output tiles) are needed");
        }
        else if (accDepth / accBanks < maxDim)
        {
            error("accumulator.banks", $"{accBanks} banks of {accDepth / accBanks} rows are smaller than one {maxDim}-row tile");
        }

        if (spDepth > 1 << 20)
        {
            error("scratchpad.kib", $"gives {spDepth} rows; the ISA addresses at most {1 << 20}");
        }

        if (accDepth > 1 << 20)
        {
            error("accumulator.kib", $"gives {accDepth} rows; the ISA addresses at most {1 << 20}");
        }
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
        var sb = new StringBuilder(d.Config.ToYaml());
        sb.Append(inv, $"# derived\n# sp_row_bytes: {d.SpRowBytes}\n# sp_depth: {d.SpDepth}\n# acc_row_bytes: {d.AccRowBytes}\n# acc_depth: {d.AccDepth}\n# psum_bits: {d.PsumBits}\n# requant_cycles_per_row: {d.RequantCyclesPerRow}\n");
        return sb.ToString();
    }

    private static string Sha256(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
