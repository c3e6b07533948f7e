using System.Collections.Immutable;
using System.Globalization;

namespace HwGen.Software.Workloads;

/// <summary>
/// A parsed workload specification, <c>kind:NAME=value,NAME=value</c>, e.g. <c>gemm:M=100,N=77,K=45</c>.
/// Parameter names are case-sensitive; values are non-negative integers (decimal or 0x hex).
/// </summary>
/// <param name="Kind">Workload kind, lower case (e.g. <c>gemm</c>).</param>
/// <param name="Parameters">Parameters by name.</param>
public sealed record WorkloadSpec(string Kind, ImmutableSortedDictionary<string, long> Parameters)
{
    /// <summary>Kinds and their parameters: (name, required, minimum, maximum).</summary>
    private static readonly ImmutableSortedDictionary<string, (string Name, bool Required, long Min, long Max)[]> Kinds =
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, (string, bool, long, long)[]>
        {
            ["gemm"] = [.. GemmShape, Seed, ("relu", false, 0, 1), ("wbits", false, 4, 8), ("chscale", false, 0, 1)],
            ["gemm+gelu"] = [.. GemmShape, Seed],
            ["softmax"] = [.. RowShape, ("causal", false, 0, 1), Seed],
            ["layernorm"] = [.. RowShape, ("residual", false, 0, 1), ("in_shift", false, 0, 47), ("res_cols", false, 0, 1), Seed],
            ["resadd"] = [.. RowShape, ("residual", false, 0, 1), Seed],
            ["gelu"] = [.. RowShape, ("percol", false, 0, 1), Seed],

            // Whole Transformer layers (software/Layers): the kind names the preset.
            ["bert-tiny"] = LayerParameters,
            ["bert-mini"] = LayerParameters,
            ["bert-base"] = LayerParameters,
            ["bert-large"] = LayerParameters,
            ["gpt2-small"] = DecoderParameters,
            ["gpt2-medium"] = DecoderParameters,
            ["vit-b16"] = LayerParameters,
        });

    private static (string Name, bool Required, long Min, long Max) Seed => ("seed", false, 0, uint.MaxValue);

    private static (string Name, bool Required, long Min, long Max)[] GemmShape =>
        [("M", true, 1, 65535), ("N", true, 1, 65535), ("K", true, 1, 65535)];

    private static (string Name, bool Required, long Min, long Max)[] RowShape =>
        [("rows", true, 1, 65535), ("cols", true, 1, MaxRowWidth)];

    /// <summary>Widest row a row operation takes (normalize width limit).</summary>
    private const long MaxRowWidth = 4096;

    private static (string Name, bool Required, long Min, long Max)[] LayerParameters =>
    [
        ("seq", false, 1, 4096),
        ("causal", false, 0, 1),
        ("softmax_late", false, 0, 1),
        ("columns", false, 0, 1),
        ("seed", false, 0, uint.MaxValue),
        ("layers", false, 1, 48),
        ("heads", false, 1, 1024),
        ("ffn", false, 1, 65535),
        ("hidden", false, 1, 65535),
        ("attn_heads", false, 1, 1024),
        ("ffn_dim", false, 1, 65535),
        ("wbits", false, 4, 8),
        ("chscale", false, 0, 1),
    ];

    /// <summary>
    /// Parameters that take one value per layer of a stack, separated by <c>/</c> (<c>heads=1/2</c>), or one value for
    /// every layer: the structured pruning of a layer preset (docs/pruning.md); and a generation's prompt lengths, one per
    /// sequence of a batch (<c>prompt=5/9</c>, docs/decode.md).
    /// </summary>
    private static readonly string[] ListNames = ["heads", "ffn", "prompt"];

    /// <summary>Values of the per-layer list parameters (<c>heads</c>, <c>ffn</c>), by name; empty when none was given.</summary>
    public ImmutableSortedDictionary<string, ImmutableArray<long>> Lists { get; init; } = ImmutableSortedDictionary<string, ImmutableArray<long>>.Empty;

    /// <summary>A per-layer list parameter, or null when it was not given.</summary>
    public IReadOnlyList<long>? GetList(string name) => Lists.TryGetValue(name, out var v) ? v : null;

    /// <summary>Decoder presets also generate text (software/Decode): a prompt prefill, then <c>generate</c> decode steps.</summary>
    private static (string Name, bool Required, long Min, long Max)[] DecoderParameters =>
    [
        .. LayerParameters,
        ("prompt", false, 1, 1024),
        ("generate", false, 1, 1024),
        ("vocab", false, 2, 50257),
        ("batch", false, 1, 64),
        ("chunk", false, 1, 1024),
        ("tied", false, 0, 1),
    ];

    /// <summary>The canonical text (parameters in declaration order).</summary>
    public override string ToString() =>
        Kind + ":" + string.Join(",", Kinds[Kind].Where(p => Parameters.ContainsKey(p.Name) || Lists.ContainsKey(p.Name))
            .Select(p => p.Name + "=" + (Lists.TryGetValue(p.Name, out var list)
                ? string.Join('/', list.Select(v => v.ToString(CultureInfo.InvariantCulture)))
                : Parameters[p.Name].ToString(CultureInfo.InvariantCulture))));

    /// <summary>Bits of the weights, <c>wbits</c> (8 when not given): 4 or 8.</summary>
    /// <exception cref="FormatException">Any other value.</exception>
    public int WeightBits()
    {
        var wbits = Get("wbits", 8);
        return wbits is 4 or 8 ? (int)wbits : throw new FormatException($"workload '{this}': wbits={wbits} is not 4 or 8 (int4 or int8 weights)");
    }

    /// <summary>
    /// True for per-output-channel weight scales, <c>chscale</c>: 1 unless given as 0 with <c>wbits=4</c> (int4 weights take
    /// a scale per output channel, requantized per column by <c>store col_mult</c>), 0 with int8 weights.
    /// </summary>
    /// <exception cref="FormatException"><c>chscale=1</c> with int8 weights.</exception>
    public bool ChannelScales()
    {
        var bits = WeightBits();
        var given = Get("chscale", bits == 4 ? 1 : 0);
        return given == 1 && bits != 4
            ? throw new FormatException($"workload '{this}': chscale=1 (per-channel weight scales) needs wbits=4; int8 weights keep one scale per tensor")
            : given == 1;
    }

    /// <summary>A parameter, or a default when it was not given.</summary>
    public long Get(string name, long fallback = 0) => Parameters.TryGetValue(name, out var v) ? v : fallback;

    /// <summary>Parses a specification; throws <see cref="FormatException"/> naming the bad part and the expected form.</summary>
    public static WorkloadSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        if (!Kinds.TryGetValue(kind, out var schema))
        {
            throw new FormatException($"workload '{text}': unknown kind '{kind}'; known kinds: {string.Join(", ", Kinds.Keys)} (e.g. gemm:M=64,N=64,K=64)");
        }

        var usage = $"{kind}:" + string.Join(",", schema.Select(p => p.Required ? $"{p.Name}=<{p.Min}..{p.Max}>" : $"[{p.Name}=..]"));
        var values = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        var lists = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<long>>(StringComparer.Ordinal);
        var body = colon < 0 ? string.Empty : text[(colon + 1)..];
        foreach (var raw in body.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0)
            {
                continue;
            }

            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"workload '{text}': '{raw}' is not NAME=value; expected {usage}");
            }

            var name = raw[..eq].Trim();
            var valueText = raw[(eq + 1)..].Trim();
            var param = schema.FirstOrDefault(p => p.Name == name);
            if (param.Name is null)
            {
                throw new FormatException($"workload '{text}': unknown parameter '{name}' for {kind}; expected {usage}");
            }

            if (values.ContainsKey(name) || lists.ContainsKey(name))
            {
                throw new FormatException($"workload '{text}': parameter '{name}' is given twice");
            }

            var isList = ListNames.Contains(name);
            var items = isList ? valueText.Split('/', StringSplitOptions.TrimEntries) : [valueText];
            var parsed = ImmutableArray.CreateBuilder<long>(items.Length);
            foreach (var item in items)
            {
                if (!TryParseValue(item, out var value))
                {
                    throw new FormatException(isList
                        ? $"workload '{text}': '{name}={valueText}' is not an integer or a list of integers separated by '/' (one per {(name == "prompt" ? "sequence" : "layer")})"
                        : $"workload '{text}': '{name}={valueText}' is not an integer");
                }

                if (value < param.Min || value > param.Max)
                {
                    throw new FormatException($"workload '{text}': {name}={value} is out of range {param.Min}..{param.Max}");
                }

                parsed.Add(value);
            }

            if (isList)
            {
                lists[name] = parsed.ToImmutable();
            }
            else
            {
                values[name] = parsed[0];
            }
        }

        var missing = schema.Where(p => p.Required && !values.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        if (missing.Count > 0)
        {
            throw new FormatException($"workload '{text}': missing {string.Join(", ", missing)}; expected {usage}");
        }

        return new WorkloadSpec(kind, values.ToImmutable()) { Lists = lists.ToImmutable() };
    }

    private static bool TryParseValue(string s, out long value) =>
        s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
