using System.Globalization;
using HwGen.Generator.Design;

namespace HwGen.Verif;

/// <summary>One randomized co-simulation: a configuration file, a workload, AXI randomization and maybe an injected fault.</summary>
/// <param name="ConfigPath">The configuration YAML, as the reproducing command line names it (relative to the working directory).</param>
/// <param name="Workload">The workload in the CLI's syntax without its seed, e.g. <c>gemm:M=4,N=5,K=6,relu=1</c> or <c>bert-tiny:seq=3</c>.</param>
/// <param name="Dataflow">Weight- or output-stationary (used by GEMM workloads).</param>
/// <param name="Seed">Seed of the workload data and of the memory model's randomness (the CLI's <c>--seed</c> sets both).</param>
/// <param name="Latency">AXI read and write latency.</param>
/// <param name="StallPercent">Random ready/valid backpressure per channel and cycle.</param>
/// <param name="Jitter">Random extra latency per burst.</param>
/// <param name="Fault">The injected fault (<see cref="FuzzFault.None"/> for none).</param>
/// <param name="FaultPick">Seed of the fault's placement (which tensor byte, instruction or field).</param>
/// <param name="Wide16">Run <see cref="WidePrologue"/> (elem16 loads, normalize wide) before the workload's program.</param>
public sealed record FuzzCase(string ConfigPath, string Workload, Dataflow Dataflow, ulong Seed, int Latency, int StallPercent, int Jitter,
    FuzzFault Fault = FuzzFault.None, ulong FaultPick = 0, bool Wide16 = false)
{
    /// <summary>The workload kind, e.g. <c>gemm+gelu</c> or <c>softmax</c>.</summary>
    public string WorkloadKind => Workload[..Workload.IndexOf(':', StringComparison.Ordinal)];

    /// <summary>True for a GEMM workload (the only kind the dataflow choice applies to).</summary>
    public bool IsGemm => WorkloadKind is "gemm" or "gemm+gelu";

    /// <summary>The workload kind with its switched-on flags, e.g. <c>gemm+relu</c>, <c>gemm+int4</c> (int4 weights), <c>softmax+causal</c>, <c>layernorm+residual</c>, <c>gemm+wide16</c>.</summary>
    public string WorkloadLabel
    {
        get
        {
            var flags = Workload[(Workload.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(',')
                .Where(p => (p.EndsWith("=1", StringComparison.Ordinal) && p[..^2] is "relu" or "causal" or "residual" or "percol")
                            || p.StartsWith("in_shift=", StringComparison.Ordinal))
                .Select(p => "+" + p[..p.IndexOf('=', StringComparison.Ordinal)]);
            var layers = Workload.Contains("layers=", StringComparison.Ordinal) ? "+stack" : string.Empty;
            var int4 = Workload.Contains("wbits=4", StringComparison.Ordinal) ? "+int4" : string.Empty;
            return WorkloadKind + string.Concat(flags) + int4 + layers + (Wide16 ? "+wide16" : string.Empty);
        }
    }

    /// <summary>The workload with its data seed, as the compiler takes it.</summary>
    public string SeededWorkload => string.Create(CultureInfo.InvariantCulture, $"{Workload},seed={Seed}");

    /// <summary>The co-simulation settings of this case (before any fault is put in).</summary>
    public CosimOptions Options(long maxCycles) => new()
    {
        Seed = Seed,
        ReadLatency = Latency,
        WriteLatency = Latency,
        StallPercent = StallPercent,
        Jitter = Jitter,
        MaxCycles = maxCycles,
    };

    /// <summary>The memory-model arguments of <c>hwgen sim</c> for this case.</summary>
    public string MemoryArguments => string.Create(CultureInfo.InvariantCulture,
        $"--seed {Seed} --latency {Latency} --stall-pct {StallPercent} --jitter {Jitter}");

    /// <summary>The command line that runs this case's workload alone, without a fault (a fault's own arguments follow it).</summary>
    public string ReproCommand => string.Create(CultureInfo.InvariantCulture,
        $"./hwgen sim {ConfigPath} --workload {Workload}{(IsGemm ? $" --dataflow {(Dataflow == Dataflow.Ws ? "ws" : "os")}" : string.Empty)} {MemoryArguments}");
}
