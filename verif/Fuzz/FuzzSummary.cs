namespace HwGen.Verif;

/// <summary>What a fuzz run did (written as JSON next to the drawn configurations).</summary>
public sealed record FuzzSummary
{
    /// <summary>The seed every draw came from (rerun with <c>--seed</c> to reproduce).</summary>
    public ulong Seed { get; init; }

    /// <summary>Configurations run in parallel (as array tasks: the number of tasks; the scheduler decides how many run at once).</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>Where the configurations ran: <c>in-process</c> (<see cref="FuzzSettings.Jobs"/> workers of this process), or the job runner of an array campaign (<c>slurm</c>, or <c>local</c> processes).</summary>
    public string Runner { get; init; } = "in-process";

    /// <summary>Array tasks of the campaign (one per configuration); 0 for a local campaign.</summary>
    public int ArrayTasks { get; init; }

    /// <summary>Array tasks without a result (failed or lost), by index: their configurations are missing from the counts; rerunning the same command runs only these.</summary>
    public IReadOnlyList<int> UnfinishedTasks { get; init; } = [];

    /// <summary>Cases run (including skipped ones).</summary>
    public required int Cases { get; init; }

    /// <summary>Configurations drawn, rendered and built.</summary>
    public required int Configs { get; init; }

    /// <summary>Cases whose RTL result differed from the golden model, or the golden model from the untiled reference, or a fault from its expected code.</summary>
    public required int Mismatches { get; init; }

    /// <summary>Mismatches where the golden model disagreed with the untiled reference (compiler bugs); part of <see cref="Mismatches"/>.</summary>
    public int ReferenceMismatches { get; init; }

    /// <summary>Cases that hung or timed out without being built to (<see cref="FuzzFault.Hang"/> cases that hang are <see cref="ExpectedHangs"/>).</summary>
    public required int Hangs { get; init; }

    /// <summary>Cases built never to end whose RTL run the watchdog stopped as a hang, as required (passes).</summary>
    public int ExpectedHangs { get; init; }

    /// <summary>Cases whose workload did not compile for the configuration, or whose program had no place for the drawn fault.</summary>
    public required int Skipped { get; init; }

    /// <summary>Configurations whose harness failed to build.</summary>
    public required int BuildFailures { get; init; }

    /// <summary>Simulated cycles over all cases.</summary>
    public required long Cycles { get; init; }

    /// <summary>Wall time of the run.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Cases (skipped ones included) per wall-clock minute.</summary>
    public double CasesPerMinute { get; init; }

    /// <summary>Wall time spent building (or fetching from the cache) Verilator harnesses, summed over jobs.</summary>
    public double BuildSeconds { get; init; }

    /// <summary>Wall time spent in cases (compile, golden model, RTL run), summed over jobs.</summary>
    public double CaseSeconds { get; init; }

    /// <summary>Cases run by kind (workload label, dataflow, backpressure).</summary>
    public IReadOnlyDictionary<string, int> CasesByKind { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Cases by workload label (kind plus switched-on flags: <c>gemm+relu</c>, <c>softmax+causal</c>, <c>bert-tiny+stack</c>).</summary>
    public IReadOnlyDictionary<string, int> CasesByWorkload { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Cases by injected fault kind (<c>none</c> for fault-free cases).</summary>
    public IReadOnlyDictionary<string, int> CasesByFault { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>GEMM cases by dataflow (row operations and layers choose their own).</summary>
    public IReadOnlyDictionary<string, int> CasesByDataflow { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Faults the golden model predicted (and the RTL had to report with the same code and ERR_PC), by fault code name.</summary>
    public IReadOnlyDictionary<string, int> GoldenFaults { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Skipped cases by workload label (and fault kind when the program had no place for it).</summary>
    public IReadOnlyDictionary<string, int> SkippedByKind { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Drawn configurations by RTL feature (dataflow, multipliers, requantizer, tiles, queues, units, lean options).</summary>
    public IReadOnlyDictionary<string, int> ConfigFeatures { get; init; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Every failure, shrunk, each with its reproducing command.</summary>
    public required IReadOnlyList<FuzzFailure> Failures { get; init; }

    /// <summary>Where the JSON summary was written (not part of the JSON).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? SummaryPath { get; init; }

    /// <summary>True when nothing failed and every array task delivered its result.</summary>
    public bool Ok => Mismatches == 0 && Hangs == 0 && BuildFailures == 0 && UnfinishedTasks.Count == 0;

    /// <summary>The summary as JSON (snake_case keys, like the co-simulation report).</summary>
    public static string ToJson(FuzzSummary summary) => System.Text.Json.JsonSerializer.Serialize(summary, CosimReportJson.Options);
}
