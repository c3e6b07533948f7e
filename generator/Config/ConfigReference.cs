using System.Text;

namespace HwGen.Generator.Config;

/// <summary>
/// The README's configuration reference, rendered from <see cref="ConfigSchema"/>. The README holds
/// it between <see cref="Begin"/> and <see cref="End"/>; a test requires the two to be equal.
/// </summary>
public static class ConfigReference
{
    /// <summary>The line that opens the rendered block in README.md.</summary>
    public const string Begin = "<!-- config-reference: rendered from generator/Config/ConfigSchema.cs (ConfigReference.Markdown); do not edit by hand -->";

    /// <summary>The line that closes it.</summary>
    public const string End = "<!-- end config-reference -->";

    /// <summary>The block, markers included: one table row per key, in table order.</summary>
    public static string Markdown()
    {
        var sb = new StringBuilder();
        sb.Append(Begin).Append('\n');
        sb.Append("| Key | Type | Allowed | Default | Meaning |\n|---|---|---|---|---|\n");
        foreach (var key in ConfigSchema.Keys)
        {
            sb.Append("| `").Append(key.Path).Append("` | ").Append(key.TypeName).Append(" | ").Append(key.Allowed)
              .Append(" | ").Append(key.DefaultText).Append(" | ").Append(key.Doc).Append(" |\n");
        }

        sb.Append(End).Append('\n');
        return sb.ToString();
    }

    /// <summary>The block as it stands in a README text; empty when the markers are missing.</summary>
    public static string Extract(string readme)
    {
        var begin = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        return begin < 0 || end < begin ? string.Empty : readme[begin..(end + End.Length)] + "\n";
    }
}
