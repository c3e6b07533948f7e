using System.Globalization;
using System.Numerics;

namespace HwGen.Generator.Config;

/// <summary>An integer key with a range, optionally a power of two or one of a list.</summary>
public sealed record IntKey(string Path, int Min, int Max, string Doc) : ConfigKey(Path, Doc)
{
    /// <summary>The default; null when the key is required or follows <see cref="DefaultFrom"/>.</summary>
    public int? Default { get; init; }

    /// <summary>An earlier key whose value is the default (requant.lanes defaults to array.cols).</summary>
    public IntKey? DefaultFrom { get; init; }

    /// <summary>The value must be a power of two.</summary>
    public bool PowerOfTwo { get; init; }

    /// <summary>When not empty, the only values allowed.</summary>
    public IReadOnlyList<int> OneOf { get; init; } = [];

    /// <inheritdoc/>
    public override string TypeName => "integer";

    /// <inheritdoc/>
    public override string Allowed => OneOf.Count > 0
        ? string.Join(", ", OneOf.Select(v => v.ToString(CultureInfo.InvariantCulture)))
        : string.Create(CultureInfo.InvariantCulture, $"{Min}..{Max}{(PowerOfTwo ? ", power of two" : string.Empty)}");

    /// <inheritdoc/>
    public override string DefaultText => DefaultFrom is not null ? DefaultFrom.Path
        : Default?.ToString(CultureInfo.InvariantCulture) ?? "required";

    /// <inheritdoc/>
    public override object? Parse(string text, bool quoted, out string? problem)
    {
        if (quoted || !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            problem = $"must be an integer, got '{text}'";
            return null;
        }

        problem = null;
        return n;
    }

    /// <inheritdoc/>
    public override object Resolve(object? given, Func<ConfigKey, object> resolved, out string? problem)
    {
        problem = null;
        var fallback = OneOf.Count > 0 ? Default ?? OneOf[0] : Min;
        if (given is null)
        {
            if (DefaultFrom is not null)
            {
                return (int)resolved(DefaultFrom);
            }

            if (Default is null)
            {
                problem = "is required";
                return fallback;
            }

            return Default.Value;
        }

        var v = (int)given;
        if (OneOf.Count > 0 && !OneOf.Contains(v))
        {
            problem = $"must be one of {Allowed}, got {v.ToString(CultureInfo.InvariantCulture)}";
            return fallback;
        }

        if (v < Min || v > Max)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"must be between {Min} and {Max}, got {v}");
            return fallback;
        }

        if (PowerOfTwo && !BitOperations.IsPow2(v))
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"must be a power of two, got {v}");
            return fallback;
        }

        return v;
    }
}
