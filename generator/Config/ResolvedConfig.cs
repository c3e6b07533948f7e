using System.Text;

namespace HwGen.Generator.Config;

/// <summary>Every <see cref="ConfigSchema"/> key with its value after defaults and range checks.</summary>
public sealed class ResolvedConfig : IEquatable<ResolvedConfig>
{
    private readonly Dictionary<string, object> values;

    private ResolvedConfig(Dictionary<string, object> values) => this.values = values;

    /// <summary>Applies defaults and ranges to every key, in table order; adds one error per bad key.</summary>
    public static ResolvedConfig Resolve(RawConfig raw, Action<string, string> error)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var key in ConfigSchema.Keys)
        {
            values[key.Path] = key.Resolve(raw.Get(key), k => values[k.Path], out var message);
            if (message is not null)
            {
                error(key.Path, message);
            }
        }

        return new ResolvedConfig(values);
    }

    /// <summary>The value of an integer key.</summary>
    public int this[IntKey key] => (int)values[key.Path];

    /// <summary>The value of a true/false key.</summary>
    public bool this[BoolKey key] => (bool)values[key.Path];

    /// <summary>The value of a text key.</summary>
    public string this[TextKey key] => (string)values[key.Path];

    /// <summary>Two resolved configurations are equal when every key has the same value.</summary>
    public bool Equals(ResolvedConfig? other) =>
        other is not null && values.Count == other.values.Count && values.All(kv => other.values.TryGetValue(kv.Key, out var v) && Equals(kv.Value, v));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ResolvedConfig);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToYaml());

    /// <summary>The resolved configuration as canonical YAML: every key in table order, grouped by section.</summary>
    public string ToYaml()
    {
        var sb = new StringBuilder();
        var section = string.Empty;
        foreach (var key in ConfigSchema.Keys)
        {
            if (key.Section.Length > 0 && key.Section != section)
            {
                section = key.Section;
                sb.Append(section).Append(":\n");
            }

            sb.Append(key.Section.Length > 0 ? "  " : string.Empty).Append(key.Leaf).Append(": ").Append(key.Format(values[key.Path])).Append('\n');
        }

        return sb.ToString();
    }
}
