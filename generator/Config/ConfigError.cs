namespace HwGen.Generator.Config;

/// <summary>One problem in a configuration file: where it is and what rule it breaks.</summary>
/// <param name="Path">Dotted key path, e.g. <c>array.rows</c>; empty for the whole document.</param>
/// <param name="Message">The rule and the offending value.</param>
/// <param name="Line">1-based line in the YAML file, when known.</param>
public sealed record ConfigError(string Path, string Message, int? Line = null)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var where = Line is { } l ? $" (line {l})" : string.Empty;
        return string.IsNullOrEmpty(Path) ? $"{Message}{where}" : $"{Path}: {Message}{where}";
    }
}
