namespace HwGen.Explore;

/// <summary>How <see cref="PointEvaluator"/> estimates a point's cycles and work.</summary>
public enum EstimatorKind
{
    /// <summary>From the configuration and the shapes, without building the program (<c>FastEstimator</c>); workloads it does not cover are replayed.</summary>
    Fast,

    /// <summary>Compile the program and replay it in the performance model (<c>PerfModel</c>).</summary>
    Replay,
}
