namespace HwGen.Generator.Config;

/// <summary>The configuration as written: the keys present (by path, parsed to their type), nothing derived yet.</summary>
public sealed record RawConfig
{
    /// <summary>The value of each key path that was present and parsed, by <see cref="ConfigSchema"/> path.</summary>
    public IReadOnlyDictionary<string, object> Values { get; init; } = new Dictionary<string, object>();

    /// <summary>YAML line of each key path that was present, for error messages.</summary>
    public IReadOnlyDictionary<string, int> Lines { get; init; } = new Dictionary<string, int>();

    /// <summary>The value written for a key, or null when the key was absent.</summary>
    public object? Get(ConfigKey key) => Values.TryGetValue(key.Path, out var v) ? v : null;
}
