using System.Globalization;

namespace HwGen.Generator.Config;

/// <summary>
/// One configuration key: its path, type, allowed values, default and documentation line. The
/// table of keys (<see cref="ConfigSchema"/>) drives parsing, validation, the resolved
/// <c>config.yaml</c> and the README's configuration reference.
/// </summary>
/// <param name="Path">Dotted key path, e.g. <c>array.rows</c>.</param>
/// <param name="Doc">What the key means, one sentence for the reference.</param>
public abstract record ConfigKey(string Path, string Doc)
{
    /// <summary>The section (<c>array</c>), or empty for a top-level key.</summary>
    public string Section => Path.Contains('.', StringComparison.Ordinal) ? Path[..Path.IndexOf('.', StringComparison.Ordinal)] : string.Empty;

    /// <summary>The key name inside its section.</summary>
    public string Leaf => Path[(Path.IndexOf('.', StringComparison.Ordinal) + 1)..];

    /// <summary>"integer", "true/false" or "text", for messages and the reference.</summary>
    public abstract string TypeName { get; }

    /// <summary>The allowed values, for the reference (e.g. <c>2..64</c>).</summary>
    public abstract string Allowed { get; }

    /// <summary>The default, for the reference (<c>required</c> when there is none).</summary>
    public abstract string DefaultText { get; }

    /// <summary>Parses a YAML scalar; null and an error when it has the wrong type.</summary>
    public abstract object? Parse(string text, bool quoted, out string? problem);

    /// <summary>
    /// The value after defaults and range checks. <paramref name="given"/> is the parsed value or null;
    /// <paramref name="resolved"/> gives earlier keys' values (for defaults that follow another key). On
    /// an error it returns a usable fallback so that validation can go on and report everything.
    /// </summary>
    public abstract object Resolve(object? given, Func<ConfigKey, object> resolved, out string? problem);

    /// <summary>The value as written in the resolved YAML.</summary>
    public virtual string Format(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
}

