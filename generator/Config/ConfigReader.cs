using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HwGen.Generator.Config;

/// <summary>
/// Parses configuration YAML into a <see cref="RawConfig"/>. Collects every structural error
/// (malformed YAML with its line, unknown keys, wrong types) instead of stopping at the first.
/// </summary>
public static class ConfigReader
{
    private enum Kind
    {
        Int,
        Text,
        Bool,
    }

    // The schema: every accepted key path, its kind and where it lands in RawConfig.
    private static readonly (string Path, Kind Kind, Func<RawConfig, object, RawConfig> Set)[] Schema =
    [
        ("name", Kind.Text, (c, v) => c with { Name = (string)v }),
        ("array.rows", Kind.Int, (c, v) => c with { Rows = (int)v }),
        ("array.cols", Kind.Int, (c, v) => c with { Cols = (int)v }),
        ("array.tile_rows", Kind.Int, (c, v) => c with { TileRows = (int)v }),
        ("array.tile_cols", Kind.Int, (c, v) => c with { TileCols = (int)v }),
        ("array.dataflow", Kind.Text, (c, v) => c with { Dataflow = (string)v }),
        ("array.dsp_packing", Kind.Bool, (c, v) => c with { DspPacking = (bool)v }),
        ("array.multiplier", Kind.Text, (c, v) => c with { Multiplier = (string)v }),
        ("scratchpad.kib", Kind.Int, (c, v) => c with { ScratchpadKib = (int)v }),
        ("scratchpad.banks", Kind.Int, (c, v) => c with { ScratchpadBanks = (int)v }),
        ("scratchpad.transposed_load", Kind.Bool, (c, v) => c with { TransposedLoad = (bool)v }),
        ("accumulator.kib", Kind.Int, (c, v) => c with { AccumulatorKib = (int)v }),
        ("accumulator.banks", Kind.Int, (c, v) => c with { AccumulatorBanks = (int)v }),
        ("axi.data_bits", Kind.Int, (c, v) => c with { AxiDataBits = (int)v }),
        ("axi.max_outstanding", Kind.Int, (c, v) => c with { AxiMaxOutstanding = (int)v }),
        ("queues.load", Kind.Int, (c, v) => c with { LoadQueue = (int)v }),
        ("queues.exec", Kind.Int, (c, v) => c with { ExecQueue = (int)v }),
        ("queues.store", Kind.Int, (c, v) => c with { StoreQueue = (int)v }),
        ("units.gelu", Kind.Bool, (c, v) => c with { Gelu = (bool)v }),
        ("units.softmax", Kind.Bool, (c, v) => c with { Softmax = (bool)v }),
        ("units.layernorm", Kind.Bool, (c, v) => c with { LayerNorm = (bool)v }),
        ("requant.lanes", Kind.Int, (c, v) => c with { RequantLanes = (int)v }),
        ("requant.digit_bits", Kind.Int, (c, v) => c with { RequantDigitBits = (int)v }),
        ("counters.bits", Kind.Int, (c, v) => c with { CounterBits = (int)v }),
        ("counters.set", Kind.Text, (c, v) => c with { CounterSet = (string)v }),
    ];

    private static readonly HashSet<string> Sections =
        Schema.Select(s => s.Path).Where(p => p.Contains('.', StringComparison.Ordinal))
            .Select(p => p[..p.IndexOf('.', StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every key path the schema accepts, in schema order (for documentation).</summary>
    public static IEnumerable<string> KnownPaths => Schema.Select(s => s.Path);

    /// <summary>Reads a configuration file; throws <see cref="ConfigException"/> listing every problem.</summary>
    public static RawConfig ReadFile(string path)
    {
        var (raw, errors) = ReadFileCollecting(path);
        return errors.Count > 0 ? throw new ConfigException(path, errors) : raw;
    }

    /// <summary>
    /// Reads a configuration file, returning what could be read plus every structural error, so
    /// that validation can add its own errors to the same list. Unreadable files and malformed
    /// YAML still throw <see cref="ConfigException"/>.
    /// </summary>
    public static (RawConfig Raw, IReadOnlyList<ConfigError> Errors) ReadFileCollecting(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, [new ConfigError(string.Empty, $"cannot read the file: {ex.Message}")]);
        }

        return ParseCollecting(text, path);
    }

    /// <summary>Parses configuration text; <paramref name="source"/> names it in errors.</summary>
    public static RawConfig Parse(string text, string source)
    {
        var (raw, errors) = ParseCollecting(text, source);
        return errors.Count > 0 ? throw new ConfigException(source, errors) : raw;
    }

    /// <summary>Parses configuration text, returning the raw values and the structural errors.</summary>
    public static (RawConfig Raw, IReadOnlyList<ConfigError> Errors) ParseCollecting(string text, string source)
    {
        var errors = new List<ConfigError>();
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            var line = (int)ex.Start.Line;
            throw new ConfigException(source,
                [new ConfigError(string.Empty, $"malformed YAML: {ex.InnerException?.Message ?? ex.Message}", line > 0 ? line : null)]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner sometimes fails without a YamlException; the parser still knows where it was.
            var line = parser.Current is { } token ? (int)token.End.Line : 0;
            throw new ConfigException(source,
                [new ConfigError(string.Empty, "malformed YAML: unterminated or invalid value", line > 0 ? line : null)]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigException(source, [new ConfigError(string.Empty, "the file must be a YAML mapping of keys to values")]);
        }

        var raw = new RawConfig();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        Walk(root, string.Empty, ref raw, lines, errors);
        return (raw with { Lines = lines }, errors);
    }

    private static void Walk(YamlMappingNode map, string prefix, ref RawConfig raw, Dictionary<string, int> lines, List<ConfigError> errors)
    {
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var path = prefix.Length == 0 ? key : prefix + "." + key;
            var line = (int)keyNode.Start.Line;
            if (lines.ContainsKey(path))
            {
                errors.Add(new ConfigError(path, "duplicate key", line));
                continue;
            }

            lines[path] = line;
            if (prefix.Length == 0 && Sections.Contains(key))
            {
                if (valueNode is YamlMappingNode child)
                {
                    Walk(child, path, ref raw, lines, errors);
                }
                else
                {
                    errors.Add(new ConfigError(path, "must be a mapping of keys to values", line));
                }

                continue;
            }

            var entry = Array.Find(Schema, s => s.Path == path);
            if (entry.Path is null)
            {
                var known = string.Join(", ", Schema.Select(s => s.Path).Where(p => p.StartsWith(prefix, StringComparison.Ordinal)));
                errors.Add(new ConfigError(path, $"unknown key (known keys: {known})", line));
                continue;
            }

            if (valueNode is not YamlScalarNode scalar || scalar.Value is null)
            {
                errors.Add(new ConfigError(path, entry.Kind switch { Kind.Int => "must be an integer", Kind.Bool => "must be true or false", _ => "must be a string" }, line));
                continue;
            }

            if (entry.Kind == Kind.Int)
            {
                if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ||
                    !int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                {
                    errors.Add(new ConfigError(path, $"must be an integer, got '{scalar.Value}'", line));
                    continue;
                }

                raw = entry.Set(raw, n);
            }
            else if (entry.Kind == Kind.Bool)
            {
                if (scalar.Value is not ("true" or "false"))
                {
                    errors.Add(new ConfigError(path, $"must be true or false, got '{scalar.Value}'", line));
                    continue;
                }

                raw = entry.Set(raw, scalar.Value == "true");
            }
            else
            {
                raw = entry.Set(raw, scalar.Value);
            }
        }
    }
}
