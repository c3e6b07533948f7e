using System.Text.RegularExpressions;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;

namespace HwGen.Software.Performance.Fast;

/// <summary>One operation's cycles by the fast estimator beside the replay of the compiled program.</summary>
/// <param name="Config">Design name.</param>
/// <param name="Workload">Workload.</param>
/// <param name="Op">Operation (all heads and layers of it together), or <c>total</c>.</param>
/// <param name="Replay">Cycles <see cref="PerfModel"/> attributes to it replaying the program.</param>
/// <param name="Fast">Cycles the fast estimator gives it.</param>
public sealed record FastCheckRow(string Config, string Workload, string Op, long Replay, long Fast)
{
    /// <summary>(fast − replay) / replay.</summary>
    public double Error => Replay == 0 ? 0 : (double)(Fast - Replay) / Replay;
}

/// <summary>
/// Compares the fast estimator with the replay of the compiled program (<see cref="PerfModel"/>), per operation: a layer's
/// operations are summed over heads and layers (the replay attributes interleaved heads' time to either operation, so
/// one head's QKᵀ and P·V are compared as all of them), a GEMM is one operation.
/// </summary>
public static partial class FastValidation
{
    /// <summary>The rows of <paramref name="spec"/> on <paramref name="d"/>: one per operation and a <c>total</c>; empty when the compiler refuses the workload (and the estimator must too).</summary>
    /// <exception cref="InvalidOperationException">The estimator and the compiler disagree on whether the workload fits.</exception>
    public static IReadOnlyList<FastCheckRow> Compare(DesignModel d, WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(spec);
        FastEstimate? fast = null;
        string? fastProblem = null;
        try
        {
            fast = FastEstimator.Estimate(d, spec);
        }
        catch (ArgumentException ex)
        {
            fastProblem = ex.Message;
        }

        var replay = new Dictionary<string, long>(StringComparer.Ordinal);
        long total;
        try
        {
            if (WorkloadCompiler.IsLayer(spec))
            {
                var cycles = LayerCompiler.CompileLayers(d, LayerCompiler.Stack(spec)).ModelledCycles(d);
                foreach (var (op, c) in cycles)
                {
                    var name = Prefix().Replace(op.Name, string.Empty);
                    replay[name] = replay.GetValueOrDefault(name) + c;
                }

                total = cycles.Sum(x => x.Cycles);
            }
            else
            {
                total = PerfModel.Estimate(d, WorkloadCompiler.Compile(d, spec)).TotalCycles;
                replay["gemm"] = total;
            }
        }
        catch (ArgumentException ex)
        {
            return fast is null ? [] : throw new InvalidOperationException($"{d.Name} {spec}: the compiler refuses ({ex.Message}) but the fast estimator does not");
        }

        if (fast is null)
        {
            throw new InvalidOperationException($"{d.Name} {spec}: the fast estimator refuses ({fastProblem}) but the compiler does not");
        }

        var rows = fast.Ops.GroupBy(o => o.Name).Select(g => new FastCheckRow(d.Name, spec.ToString(), g.Key, replay.GetValueOrDefault(g.Key), g.Sum(o => o.TotalCycles))).ToList();
        rows.Add(new FastCheckRow(d.Name, spec.ToString(), "total", total, fast.TotalCycles));
        return rows;
    }

    [GeneratedRegex(@"^(L\d+\.)?(S\d+\.)?(head\d+\.)?")]
    private static partial Regex Prefix();
}
