using HwGen.Verif.Jobs;

namespace HwGen.Explore;

/// <summary>What <see cref="ExploreRun"/> does.</summary>
public sealed record ExploreSettings
{
    /// <summary>The space.</summary>
    public required SpaceFile Space { get; init; }

    /// <summary>Where results, plots and the re-check go; a folder from an earlier run of the same space resumes it.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>How points are estimated (default: the fast estimator, without building programs).</summary>
    public EstimatorKind Estimator { get; init; } = EstimatorKind.Fast;

    /// <summary>Points evaluated in parallel.</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>Re-check the front in co-simulation (null: no re-check).</summary>
    public IJobRunner? Recheck { get; init; }

    /// <summary>The command that runs <c>hwgen</c> (program and leading arguments), for re-check tasks.</summary>
    public IReadOnlyList<string> HwgenCommand { get; init; } = [];

    /// <summary>At most this many front points are re-checked (the fastest first).</summary>
    public int MaxRecheck { get; init; } = 32;

    /// <summary>Synthesize front points with Yosys (null: no synthesis); locally, one at a time.</summary>
    public IJobRunner? SynthRecheck { get; init; }

    /// <summary>At most this many front points are synthesized (the smallest by area first).</summary>
    public int MaxSynth { get; init; } = 1;
}
