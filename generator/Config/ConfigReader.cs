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
    /// <summary>Every key path the schema accepts, in schema order (for documentation).</summary>
    public static IEnumerable<string> KnownPaths => ConfigSchema.Keys.Select(k => k.Path);

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

        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        Walk(root, string.Empty, values, lines, errors);
        return (new RawConfig { Values = values, Lines = lines }, errors);
    }

    private static void Walk(YamlMappingNode map, string prefix, Dictionary<string, object> values, Dictionary<string, int> lines, List<ConfigError> errors)
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
            if (prefix.Length == 0 && ConfigSchema.Sections.Contains(key, StringComparer.Ordinal))
            {
                if (valueNode is YamlMappingNode child)
                {
                    Walk(child, path, values, lines, errors);
                }
                else
                {
                    errors.Add(new ConfigError(path, "must be a mapping of keys to values", line));
                }

                continue;
            }

            var entry = ConfigSchema.Find(path);
            if (entry is null)
            {
                var known = string.Join(", ", KnownPaths.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)));
                errors.Add(new ConfigError(path, $"unknown key (known keys: {known})", line));
                continue;
            }

            if (valueNode is not YamlScalarNode scalar || scalar.Value is null)
            {
                errors.Add(new ConfigError(path, entry switch { IntKey => "must be an integer", BoolKey => "must be true or false", _ => "must be a string" }, line));
                continue;
            }

            var value = entry.Parse(scalar.Value, scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted, out var error);
            if (value is null)
            {
                errors.Add(new ConfigError(path, error ?? "has the wrong type", line));
                continue;
            }

            values[path] = value;
        }
    }
}
