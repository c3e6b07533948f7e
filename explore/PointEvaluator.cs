using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HwGen.Explore.Cost;
using HwGen.Generator.Config;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Performance;
using HwGen.Software.Performance.Fast;

namespace HwGen.Explore;

/// <summary>
/// Evaluates design points with the models only: resolves the configuration, estimates the workload's cycles and work
/// (<see cref="EstimatorKind.Fast"/>: <see cref="FastEstimator"/> from the shapes, without building the program;
/// <see cref="EstimatorKind.Replay"/>: compiles the program and replays it in <see cref="PerfModel"/>), prices the work
/// with the energy model and asks the FPGA resource model for LUTs, FFs, DSPs and BRAMs. No RTL is simulated here; the
/// front is re-checked later.
/// </summary>
public sealed class PointEvaluator
{
    private readonly SpaceFile space;
    private readonly EstimatorKind estimator;
    private readonly RawConfig baseConfig;
    private readonly string baseText;

    /// <summary>Prepares the evaluation of <paramref name="space"/>'s points.</summary>
    public PointEvaluator(SpaceFile space, EstimatorKind estimator = EstimatorKind.Fast)
    {
        ArgumentNullException.ThrowIfNull(space);
        this.space = space;
        this.estimator = estimator;
        baseText = space.BasePath is null ? string.Empty : File.ReadAllText(space.BasePath);
        baseConfig = space.BasePath is null ? new RawConfig() : ConfigReader.Parse(baseText, space.BasePath);
    }

    /// <summary>Point <paramref name="index"/>'s swept values (the last key varies fastest).</summary>
    public SortedDictionary<string, string> Values(long index)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var axes = space.Axes;
        for (var k = axes.Count - 1; k >= 0; k--)
        {
            var (key, list) = axes[k];
            values[key] = list[(int)(index % list.Count)];
            index /= list.Count;
        }

        return values;
    }

    /// <summary>
    /// A point's identifier: SHA-256 (first 12 hex digits) of the base configuration, the workload, the values and the
    /// estimator (the fast one; replay identifiers stay those of sweeps from before the fast estimator).
    /// </summary>
    public string Id(SortedDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var text = baseText + "\n--\n" + space.Workload + "\n" + string.Join("\n", values.Select(v => v.Key + "=" + v.Value))
            + (estimator == EstimatorKind.Fast ? "\nestimator=fast" : string.Empty) + (space.Accuracy is { } a ? "\naccuracy=" + a.Text : string.Empty);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }

    /// <summary>Evaluates point <paramref name="index"/>.</summary>
    public PointResult Evaluate(int index)
    {
        var values = Values(index);
        var id = Id(values);
        var kind = estimator == EstimatorKind.Fast ? "fast" : "replay";
        var result = new PointResult { Index = index, Id = id, Values = values, Status = "ok", Estimator = kind };
        var workload = space.Model.Count == 0 ? space.Workload : ModelSpace.Workload(space.Workload, values);
        if (space.Model.Count > 0 && ModelSpace.Problem(workload) is { } shapeProblem)
        {
            return result with { Status = "invalid", Reason = shapeProblem };
        }

        if (space.Accuracy is { } table)
        {
            if (table.Of(values) is not { } accuracy)
            {
                return result with { Status = "no_accuracy", Reason = "the accuracy CSV has no line for this model shape" };
            }

            result = result with { Accuracy = accuracy };
        }

        DesignModel design;
        try
        {
            design = Resolve(values, id);
        }
        catch (ConfigException ex)
        {
            return result with { Status = "invalid", Reason = string.Join("; ", ex.Errors.Select(e => e.ToString())) };
        }

        var pes = design.Pes;
        var kib = (int)((((long)design.SpDepth * design.SpRowBytes) + ((long)design.AccDepth * design.Cols * 4)) / 1024);
        var fpga = ResourceModel.Default.Predict(design);
        result = result with
        {
            Pes = pes, OnChipKib = kib, ConfigYaml = DesignResolver.ResolvedYaml(design),
            Luts = Math.Round(fpga.Luts), Ffs = Math.Round(fpga.FlipFlops), Dsps = Math.Round(fpga.Dsps), Brams = Math.Round(fpga.Brams * 2) / 2,
            AreaLutEq = Math.Round(ResourceModel.LutEquivalent(fpga)),
        };
        if (estimator == EstimatorKind.Fast && FastEstimator.Supports(workload))
        {
            FastEstimate fast;
            try
            {
                fast = FastEstimator.Estimate(design, workload);
            }
            catch (ArgumentException ex)
            {
                return result with { Status = "does_not_fit", Reason = ex.Message };
            }

            return Priced(result with { Cycles = fast.TotalCycles, Utilization = fast.Utilization }, EnergyModel.Price(design, fast.Counts));
        }

        Software.Programs.CompiledProgram program;
        try
        {
            program = WorkloadCompiler.Compile(design, workload);
        }
        catch (ArgumentException ex)
        {
            return result with { Status = "does_not_fit", Reason = ex.Message };
        }

        var perf = PerfModel.Estimate(design, program);
        return Priced(result with { Cycles = perf.TotalCycles, Utilization = perf.Utilization, Estimator = "replay" }, EnergyModel.Estimate(design, program.Instructions));
    }

    private static PointResult Priced(PointResult result, EnergyBreakdown energy)
    {
        double[] split = [energy.MacPj, energy.ScratchpadPj, energy.AccumulatorPj, energy.DramPj, energy.UnitsPj];
        return result with { EnergyUj = energy.TotalPj / 1e6, EnergySplitUj = Array.ConvertAll(split, p => p / 1e6) };
    }

    private DesignModel Resolve(SortedDictionary<string, string> values, string id)
    {
        var merged = new Dictionary<string, object>(baseConfig.Values, StringComparer.Ordinal)
        {
            [ConfigSchema.Name.Path] = "explore-" + id,
        };
        foreach (var (path, text) in values.Where(v => !v.Key.StartsWith(ModelSpace.Prefix, StringComparison.Ordinal)))
        {
            var key = ConfigSchema.Find(path)!;
            merged[path] = key.Parse(text, quoted: false, out _)!;
        }

        return DesignResolver.Resolve(new RawConfig { Values = merged, Lines = baseConfig.Lines }, string.Create(CultureInfo.InvariantCulture, $"point {id}"));
    }
}
