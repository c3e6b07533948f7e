using HwGen.Generator.Design;

namespace HwGen.Verif;

/// <summary>The running counts of a fuzz run; the caller serializes access (one lock).</summary>
internal sealed class FuzzTally
{
    private readonly SortedDictionary<string, int> byKind = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> byWorkload = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> byFault = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> byDataflow = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> goldenFaults = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> skippedByKind = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> features = new(StringComparer.Ordinal);
    private readonly List<(int Config, int Case, FuzzFailure Failure)> failures = [];

    public int Cases { get; private set; }

    public int Configs { get; set; }

    public int BuildFailures { get; private set; }

    public double BuildSeconds { get; private set; }

    private int mismatches, referenceMismatches, hangs, expectedHangs, skipped;
    private long cycles;
    private double caseSeconds;

    /// <summary>Counts a drawn configuration's features (<see cref="Fuzzer.Features"/>).</summary>
    public void AddFeatures(IEnumerable<string> configFeatures)
    {
        foreach (var f in configFeatures)
        {
            Add(features, f);
        }
    }

    /// <summary>Counts one finished case; returns its number (1-based, in finishing order).</summary>
    public int AddCase(FuzzResult result)
    {
        var c = result.Case;
        Cases++;
        cycles += result.Cycles;
        caseSeconds += result.Seconds;
        Add(byKind, Fuzzer.Kind(c));
        Add(byWorkload, c.WorkloadLabel);
        Add(byFault, FaultInjection.Name(c.Fault));
        if (c.IsGemm)
        {
            Add(byDataflow, c.Dataflow == Dataflow.Ws ? "ws" : "os");
        }

        if (result.GoldenFault != "none" && !result.Failed)
        {
            Add(goldenFaults, result.GoldenFault);
        }

        switch (result.Verdict)
        {
            case FuzzVerdict.Mismatch:
                mismatches++;
                referenceMismatches += result.Disagreement is Disagreement.GoldenVsReference or Disagreement.Both ? 1 : 0;
                break;
            case FuzzVerdict.Hang:
                hangs++;
                break;
            case FuzzVerdict.Skipped:
                skipped++;
                Add(skippedByKind, c.WorkloadLabel + (c.Fault == FuzzFault.None ? string.Empty : "/" + FaultInjection.Name(c.Fault)));
                break;
            default:
                expectedHangs += result.ExpectedHang ? 1 : 0;
                break;
        }

        return Cases;
    }

    /// <summary>Adds a configuration's build and its failures (listed in configuration and case order); its cases are counted apart (<see cref="AddCase"/>).</summary>
    public void AddOutcome(FuzzConfigOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        BuildFailures += outcome.BuildFailed ? 1 : 0;
        BuildSeconds += outcome.BuildSeconds;
        for (var i = 0; i < outcome.Failures.Count; i++)
        {
            failures.Add((outcome.Index, i, outcome.Failures[i]));
        }
    }

    /// <summary>Adds everything an array task found for one configuration: the configuration, its features, its cases, build and failures.</summary>
    public void AddTask(FuzzConfigOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        Configs++;
        AddFeatures(outcome.Features);
        foreach (var r in outcome.Results)
        {
            AddCase(r);
        }

        AddOutcome(outcome);
    }

    /// <summary>The summary of everything counted.</summary>
    public FuzzSummary Summary(ulong seed, int jobs, TimeSpan wall) => new()
    {
        Seed = seed,
        Jobs = jobs,
        Cases = Cases,
        Configs = Configs,
        Mismatches = mismatches,
        ReferenceMismatches = referenceMismatches,
        Hangs = hangs,
        ExpectedHangs = expectedHangs,
        Skipped = skipped,
        BuildFailures = BuildFailures,
        Cycles = cycles,
        WallSeconds = Math.Round(wall.TotalSeconds, 1),
        CasesPerMinute = wall.TotalMinutes > 0 ? Math.Round(Cases / wall.TotalMinutes, 1) : 0,
        BuildSeconds = Math.Round(BuildSeconds, 1),
        CaseSeconds = Math.Round(caseSeconds, 1),
        CasesByKind = byKind,
        CasesByWorkload = byWorkload,
        CasesByFault = byFault,
        CasesByDataflow = byDataflow,
        GoldenFaults = goldenFaults,
        SkippedByKind = skippedByKind,
        ConfigFeatures = features,
        Failures = failures.OrderBy(f => f.Config).ThenBy(f => f.Case).Select(f => f.Failure).ToList(),
    };

    private static void Add(SortedDictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
