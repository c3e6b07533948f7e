using System.Globalization;
using HwGen.Generator.Design;

namespace HwGen.Verif;

/// <summary>One randomized co-simulation: a configuration file, a GEMM workload and AXI randomization.</summary>
/// <param name="ConfigPath">The configuration YAML, as the reproducing command line names it (relative to the working directory).</param>
/// <param name="M">Rows of A and C.</param>
/// <param name="N">Columns of B and C.</param>
/// <param name="K">The reduction length.</param>
/// <param name="Relu">Clamp negative outputs.</param>
/// <param name="Dataflow">Weight- or output-stationary.</param>
/// <param name="Seed">Seed of the workload data and of the memory model's randomness (the CLI's <c>--seed</c> sets both).</param>
/// <param name="Latency">AXI read and write latency.</param>
/// <param name="StallPercent">Random ready/valid backpressure per channel and cycle.</param>
/// <param name="Jitter">Random extra latency per burst.</param>
public sealed record FuzzCase(string ConfigPath, int M, int N, int K, bool Relu, Dataflow Dataflow, ulong Seed, int Latency, int StallPercent, int Jitter)
{
    /// <summary>The workload in the CLI's syntax (the seed comes from <c>--seed</c>).</summary>
    public string Workload => string.Create(CultureInfo.InvariantCulture, $"gemm:M={M},N={N},K={K}{(Relu ? ",relu=1" : string.Empty)}");

    /// <summary>The workload with its data seed, as the compiler takes it.</summary>
    public string SeededWorkload => string.Create(CultureInfo.InvariantCulture, $"{Workload},seed={Seed}");

    /// <summary>The co-simulation settings of this case.</summary>
    public CosimOptions Options(long maxCycles) => new()
    {
        Seed = Seed,
        ReadLatency = Latency,
        WriteLatency = Latency,
        StallPercent = StallPercent,
        Jitter = Jitter,
        MaxCycles = maxCycles,
    };

    /// <summary>The command line that reproduces this case.</summary>
    public string ReproCommand => string.Create(CultureInfo.InvariantCulture,
        $"./hwgen sim {ConfigPath} --workload {Workload} --dataflow {(Dataflow == Dataflow.Ws ? "ws" : "os")} --seed {Seed} --latency {Latency} --stall-pct {StallPercent} --jitter {Jitter}");
}
