using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HwGen.Explore.Cost;
using HwGen.Generator.Config;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Performance;

namespace HwGen.Explore;

/// <summary>
/// Evaluates design points with the models only: resolves the configuration, compiles the workload for it, and asks the
/// performance model for cycles, the energy model for energy and the FPGA resource model for LUTs, FFs, DSPs and BRAMs. No RTL is simulated here; the front is re-checked later.
/// </summary>
public sealed class PointEvaluator
{
    private readonly SpaceFile space;
    private readonly RawConfig baseConfig;
    private readonly string baseText;

    /// <summary>Prepares the evaluation of <paramref name="space"/>'s points.</summary>
    public PointEvaluator(SpaceFile space)
    {
        ArgumentNullException.ThrowIfNull(space);
        this.space = space;
        baseText = space.BasePath is null ? string.Empty : File.ReadAllText(space.BasePath);
        baseConfig = space.BasePath is null ? new RawConfig() : ConfigReader.Parse(baseText, space.BasePath);
    }

    /// <summary>Point <paramref name="index"/>'s swept values (the last key varies fastest).</summary>
    public SortedDictionary<string, string> Values(long index)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var k = space.Sweep.Count - 1; k >= 0; k--)
        {
            var (key, list) = space.Sweep[k];
            values[key.Path] = list[(int)(index % list.Count)];
            index /= list.Count;
        }

        return values;
    }

    /// <summary>A point's identifier: SHA-256 (first 12 hex digits) of the base configuration, the workload and the values.</summary>
    public string Id(SortedDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var text = baseText + "\n--\n" + space.Workload + "\n" + string.Join("\n", values.Select(v => v.Key + "=" + v.Value));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }

    /// <summary>Evaluates point <paramref name="index"/>.</summary>
    public PointResult Evaluate(int index)
    {
        var values = Values(index);
        var id = Id(values);
        var result = new PointResult { Index = index, Id = id, Values = values, Status = "ok" };
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
        Software.Programs.CompiledProgram program;
        try
        {
            program = WorkloadCompiler.Compile(design, space.Workload);
        }
        catch (ArgumentException ex)
        {
            return result with { Status = "does_not_fit", Reason = ex.Message };
        }

        var perf = PerfModel.Estimate(design, program);
        var energy = EnergyModel.Estimate(design, program.Instructions);
        double[] split = [energy.MacPj, energy.ScratchpadPj, energy.AccumulatorPj, energy.DramPj, energy.UnitsPj];
        return result with
        {
            Cycles = perf.TotalCycles,
            Utilization = perf.Utilization,
            EnergyUj = energy.TotalPj / 1e6,
            EnergySplitUj = Array.ConvertAll(split, p => p / 1e6),
        };
    }

    private DesignModel Resolve(SortedDictionary<string, string> values, string id)
    {
        var merged = new Dictionary<string, object>(baseConfig.Values, StringComparer.Ordinal)
        {
            [ConfigSchema.Name.Path] = "explore-" + id,
        };
        foreach (var (path, text) in values)
        {
            var key = ConfigSchema.Find(path)!;
            merged[path] = key.Parse(text, quoted: false, out _)!;
        }

        return DesignResolver.Resolve(new RawConfig { Values = merged, Lines = baseConfig.Lines }, string.Create(CultureInfo.InvariantCulture, $"point {id}"));
    }
}
