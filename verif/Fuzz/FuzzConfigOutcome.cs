namespace HwGen.Verif;

/// <summary>
/// What one drawn configuration did: its build and its cases' results. A local campaign adds it to the summary as it
/// goes; an array task (<c>hwgen fuzz-task</c>) writes it as JSON for the submitting process to collect.
/// </summary>
public sealed record FuzzConfigOutcome
{
    /// <summary>The configuration's place in the seed's sequence (0-based).</summary>
    public required int Index { get; init; }

    /// <summary>Its name, <c>fuzz-&lt;seed&gt;-&lt;index&gt;</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The RTL features it exercises (<see cref="Fuzzer.Features"/>).</summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>True when its harness did not build (no case ran).</summary>
    public bool BuildFailed { get; init; }

    /// <summary>Wall time of the build, or of fetching it from the cache.</summary>
    public double BuildSeconds { get; init; }

    /// <summary>Every case run, in drawing order.</summary>
    public IReadOnlyList<FuzzResult> Results { get; init; } = [];

    /// <summary>The failing cases, in drawing order, each with its shrunk variant.</summary>
    public IReadOnlyList<FuzzFailure> Failures { get; init; } = [];
}
