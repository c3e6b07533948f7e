namespace HwGen.Verif;

/// <summary>Bounds of a fuzz run.</summary>
public sealed record FuzzSettings
{
    /// <summary>Seed of everything drawn; the same seed draws the same configurations and cases.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Stop drawing new cases after this long (a case in progress finishes).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Stop after this many configurations (0 = only the duration bounds the run).</summary>
    public int MaxConfigs { get; init; }

    /// <summary>Stop after this many cases (0 = only the duration and configuration limit bound the run).</summary>
    public int MaxCases { get; init; }

    /// <summary>Cases per configuration before the next one is drawn (a Verilator build costs about as much as a few hundred small cases).</summary>
    public int CasesPerConfig { get; init; } = 100;

    /// <summary>Percent of cases that inject a fault (the kinds of <see cref="FuzzFault"/> equally often).</summary>
    public int FaultPercent { get; init; } = 25;

    /// <summary>Largest M, N or K of a workload.</summary>
    public int MaxGemmDim { get; init; } = 96;

    /// <summary>Cycle budget of one case (a timeout counts as a hang).</summary>
    public long MaxCycles { get; init; } = 20_000_000;

    /// <summary>Where configuration YAML files and rendered RTL go; the reproducing commands name files here.</summary>
    public string OutputDirectory { get; init; } = "fuzz-out";

    /// <summary>Shrink failing cases (halve M/N/K, drop backpressure).</summary>
    public bool Shrink { get; init; } = true;

    /// <summary>Configurations run at once (each builds its harness, then runs its cases in order); default: processor count.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>Where the JSON summary goes (default: <c>summary.json</c> in <see cref="OutputDirectory"/>).</summary>
    public string? SummaryPath { get; init; }

    /// <summary>Harness build options (cache root, extra flags).</summary>
    public HarnessBuildOptions Build { get; init; } = new();
}
