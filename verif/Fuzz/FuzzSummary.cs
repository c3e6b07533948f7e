namespace HwGen.Verif;

/// <summary>What a fuzz run did.</summary>
public sealed record FuzzSummary
{
    /// <summary>Cases run (including skipped ones).</summary>
    public required int Cases { get; init; }

    /// <summary>Configurations drawn, rendered and built.</summary>
    public required int Configs { get; init; }

    /// <summary>Cases whose RTL result differed from the golden model.</summary>
    public required int Mismatches { get; init; }

    /// <summary>Cases that hung or timed out.</summary>
    public required int Hangs { get; init; }

    /// <summary>Cases whose workload did not compile for the configuration.</summary>
    public required int Skipped { get; init; }

    /// <summary>Configurations whose harness failed to build.</summary>
    public required int BuildFailures { get; init; }

    /// <summary>Simulated cycles over all cases.</summary>
    public required long Cycles { get; init; }

    /// <summary>Every failure, shrunk.</summary>
    public required IReadOnlyList<FuzzFailure> Failures { get; init; }

    /// <summary>True when nothing failed.</summary>
    public bool Ok => Mismatches == 0 && Hangs == 0 && BuildFailures == 0;
}
