namespace HwGen.Generator.Config;

/// <summary>A text key: one of a list of words, or (with no list) free text checked by a rule.</summary>
public sealed record TextKey(string Path, string Doc) : ConfigKey(Path, Doc)
{
    /// <summary>The default; null when the key is required.</summary>
    public string? Default { get; init; }

    /// <summary>The allowed words; empty for free text.</summary>
    public IReadOnlyList<string> OneOf { get; init; } = [];

    /// <summary>For free text: the rule a value must follow, and its description.</summary>
    public (Func<string, bool> Check, string Description)? Rule { get; init; }

    /// <inheritdoc/>
    public override string TypeName => "text";

    /// <inheritdoc/>
    public override string Allowed => OneOf.Count > 0 ? string.Join(", ", OneOf) : Rule?.Description ?? "any text";

    /// <inheritdoc/>
    public override string DefaultText => Default ?? "required";

    /// <inheritdoc/>
    public override object? Parse(string text, bool quoted, out string? problem)
    {
        problem = null;
        return text;
    }

    /// <inheritdoc/>
    public override object Resolve(object? given, Func<ConfigKey, object> resolved, out string? problem)
    {
        problem = null;
        if (given is null)
        {
            if (Default is null)
            {
                problem = "is required";
                return string.Empty;
            }

            return Default;
        }

        var v = (string)given;
        if (OneOf.Count > 0 && !OneOf.Contains(v, StringComparer.Ordinal))
        {
            problem = $"must be one of {string.Join(", ", OneOf)}, got '{v}'";
            return Default ?? OneOf[0];
        }

        if (Rule is { } rule && !rule.Check(v))
        {
            problem = $"must be {rule.Description}, got '{v}'";
        }

        return v;
    }
}
