namespace HwGen.Verif;

/// <summary>What a fuzz run did (written as JSON next to the drawn configurations).</summary>
public sealed record FuzzSummary
{
    /// <summary>The seed every draw came from (rerun with <c>--seed</c> to reproduce).</summary>
    public ulong Seed { get; init; }

    /// <summary>Configurations run in parallel.</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>Mismatches where the golden model disagreed with the untiled reference (compiler bugs); part of <see cref="Mismatches"/>.</summary>
    public int ReferenceMismatches { get; init; }

    /// <summary>Cases run by kind (workload, dataflow, backpressure).</summary>
    public IReadOnlyDictionary<string, int> CasesByKind { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Drawn configurations by RTL feature (dataflow, multipliers, requantizer, tiles, queues).</summary>
    public IReadOnlyDictionary<string, int> ConfigFeatures { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Where the JSON summary was written (not part of the JSON).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? SummaryPath { get; init; }
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

    /// <summary>The summary as JSON (snake_case keys, like the co-simulation report).</summary>
    public static string ToJson(FuzzSummary summary) => System.Text.Json.JsonSerializer.Serialize(summary, CosimReportJson.Options);
}
