namespace HwGen.Generator.Config;

/// <summary>Thrown when a configuration is invalid; carries every error found, not just the first.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception from the collected errors.</summary>
    public ConfigException(string source, IReadOnlyList<ConfigError> errors)
        : base($"{source}: {errors.Count} configuration error(s):" + Environment.NewLine +
               string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Source = source;
        Errors = errors;
    }

    /// <summary>The file (or description) that was read.</summary>
    public new string Source { get; }

    /// <summary>Every error found.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }
}
