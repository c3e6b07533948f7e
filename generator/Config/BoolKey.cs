namespace HwGen.Generator.Config;

/// <summary>A true/false key.</summary>
public sealed record BoolKey(string Path, bool Default, string Doc) : ConfigKey(Path, Doc)
{
    /// <inheritdoc/>
    public override string TypeName => "true/false";

    /// <inheritdoc/>
    public override string Allowed => "true, false";

    /// <inheritdoc/>
    public override string DefaultText => Format(Default);

    /// <inheritdoc/>
    public override object? Parse(string text, bool quoted, out string? problem)
    {
        if (text is not ("true" or "false"))
        {
            problem = $"must be true or false, got '{text}'";
            return null;
        }

        problem = null;
        return text == "true";
    }

    /// <inheritdoc/>
    public override object Resolve(object? given, Func<ConfigKey, object> resolved, out string? problem)
    {
        problem = null;
        return given ?? Default;
    }

    /// <inheritdoc/>
    public override string Format(object value) => (bool)value ? "true" : "false";
}
