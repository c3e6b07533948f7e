using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HwGen.Generator.Design;
using HwGen.Verif.Synth;

namespace HwGen.Explore.Cost;

/// <summary>
/// The FPGA resource model (Xilinx 7-series, Yosys <c>synth_xilinx</c>): per module, LUTs, FFs, DSPs and block RAMs as
/// linear functions of the configuration, fitted by least squares to hierarchical Yosys runs of the configurations in
/// <c>explore/Cost/fit</c> (<c>hwgen resource-fit</c> refits it). The coefficients ship as the embedded
/// <c>resource-model.json</c>; <c>docs/explore.md</c> states the error against full synthesis of held-out configurations.
/// </summary>
public sealed class ResourceModel
{
    /// <summary>LUT-equivalents per unit of FFs, DSPs and block RAMs: the XC7VX485T's LUTs per unit of each (303,600 LUTs, 607,200 FFs, 2,800 DSP48E1, 1,030 RAMB36).</summary>
    public static readonly double[] LutEquivalents = [1, 303600.0 / 607200, 303600.0 / 2800, 303600.0 / 1030];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly Lazy<ResourceModel> Shipped = new(() =>
    {
        using var stream = typeof(ResourceModel).Assembly.GetManifestResourceStream("HwGen.Explore.Cost.resource-model.json")
            ?? throw new InvalidOperationException("the embedded resource-model.json is missing; rebuild HwGen.Explore");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    });

    /// <summary>The fitted modules by name.</summary>
    public required IReadOnlyDictionary<string, ResourceModuleFit> Modules { get; init; }

    /// <summary>The configurations the model was fitted to.</summary>
    public required IReadOnlyList<string> FittedOn { get; init; }

    /// <summary>
    /// Per resource (LUTs, FFs, DSPs, BRAMs), full flattened synthesis over the sum of the modules synthesized with the
    /// hierarchy kept (flattening optimizes across module boundaries), measured on the fit configurations with all
    /// three row units that also have a full synthesis. The whole design's prediction is the modules' sum times a
    /// factor interpolated between this and <see cref="FlattenFactorNoUnits"/> by the number of row units present.
    /// </summary>
    public IReadOnlyList<double> FlattenFactor { get; init; } = [1, 1, 1, 1];

    /// <summary>
    /// As <see cref="FlattenFactor"/>, measured on fit configurations without any row unit: flattening removes more
    /// there (the units' constant registers and store-path selects that nothing reads once no unit is present).
    /// </summary>
    public IReadOnlyList<double> FlattenFactorNoUnits { get; init; } = [1, 1, 1, 1];

    /// <summary>The fit configurations <see cref="FlattenFactor"/> was measured on.</summary>
    public IReadOnlyList<string> CalibratedOn { get; init; } = [];

    /// <summary>What produced the measurements, e.g. "Yosys 0.23 synth_xilinx (hierarchical)".</summary>
    public string Tool { get; init; } = string.Empty;

    /// <summary>The model shipped with HwGen.</summary>
    public static ResourceModel Default => Shipped.Value;

    /// <summary>Per module, the predicted resources of design <paramref name="d"/>.</summary>
    public IReadOnlyDictionary<string, FpgaCounts> PredictModules(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var result = new SortedDictionary<string, FpgaCounts>(StringComparer.Ordinal);
        foreach (var (name, fit) in Modules)
        {
            var terms = fit.Terms.Select(t => ResourceFeatures.Term(d, t)).ToArray();
            result[name] = FpgaCounts.FromArray([.. fit.Coefficients.Select(c => Math.Max(0, c.Select((x, i) => x * terms[i]).Sum()))]);
        }

        return result;
    }

    /// <summary>The predicted resources of the whole design <paramref name="d"/>.</summary>
    public FpgaCounts Predict(DesignModel d)
    {
        var units = UnitShare(d);
        return FpgaCounts.FromArray([.. PredictModules(d).Values.Aggregate(FpgaCounts.Zero, (s, m) => s + m).ToArray()
            .Select((v, i) => v * ((units * FlattenFactor[i]) + ((1 - units) * FlattenFactorNoUnits[i])))]);
    }

    /// <summary>The share of the three row units (GELU, Softmax, LayerNorm) design <paramref name="d"/> has: 0, ⅓, ⅔ or 1.</summary>
    public static double UnitShare(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return ((d.UnitGelu ? 1 : 0) + (d.UnitSoftmax ? 1 : 0) + (d.UnitLayerNorm ? 1 : 0)) / 3.0;
    }

    /// <summary>One area figure: LUTs plus FFs, DSPs and block RAMs weighted by <see cref="LutEquivalents"/>.</summary>
    public static double LutEquivalent(FpgaCounts c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.ToArray().Select((v, i) => v * LutEquivalents[i]).Sum();
    }

    /// <summary>
    /// Fits every module by least squares on the measured per-module resources of <paramref name="points"/> (a tiny
    /// ridge term keeps terms the points do not vary from blowing up; those take the smallest coefficients that fit).
    /// </summary>
    /// <param name="points">Each fit configuration with its per-module figures (hierarchy kept).</param>
    /// <param name="calibration">Fit configurations with a full flattened synthesis: (design, hierarchical total, flattened total).</param>
    /// <param name="tool">What produced the figures.</param>
    public static ResourceModel Fit(IReadOnlyList<(DesignModel Design, IReadOnlyDictionary<string, FpgaCounts> Measured)> points,
        IReadOnlyList<(DesignModel Design, FpgaCounts Hierarchical, FpgaCounts Flat)> calibration, string tool)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(points);
        var modules = new SortedDictionary<string, ResourceModuleFit>(StringComparer.Ordinal);
        foreach (var module in ResourceFeatures.Modules)
        {
            var terms = ResourceFeatures.Terms(module);
            var x = points.Select(p => terms.Select(t => ResourceFeatures.Term(p.Design, t)).ToArray()).ToArray();
            var ys = points.Select(p => ResourceFeatures.Measured(p.Measured, module).ToArray()).ToArray();
            // A term that does not apply to a resource (a block-RAM count for LUTs) is a zero column: its coefficient is 0.
            var coefficients = Enumerable.Range(0, 4).Select(r => (IReadOnlyList<double>)LeastSquares.Solve(
                [.. x.Select(row => row.Select((v, j) => ResourceFeatures.Applies(terms[j], r) ? v : 0).ToArray())], [.. ys.Select(y => y[r])])).ToList();
            modules[module] = new ResourceModuleFit { Terms = terms, Coefficients = coefficients };
        }

        double[] Factor(Func<DesignModel, bool> which)
        {
            var set = calibration.Where(c => which(c.Design)).ToList();
            return [.. Enumerable.Range(0, 4).Select(r =>
            {
                var hier = set.Sum(c => c.Hierarchical.ToArray()[r]);
                return hier == 0 ? 1 : Math.Round(set.Sum(c => c.Flat.ToArray()[r]) / hier, 4);
            })];
        }

        var withUnits = calibration.Any(c => UnitShare(c.Design) == 1) ? Factor(d => UnitShare(d) == 1) : Factor(_ => true);
        var noUnits = calibration.Any(c => UnitShare(c.Design) == 0) ? Factor(d => UnitShare(d) == 0) : withUnits;
        return new ResourceModel
        {
            Modules = modules, FittedOn = [.. points.Select(p => p.Design.Name)], Tool = tool,
            FlattenFactor = withUnits, FlattenFactorNoUnits = noUnits, CalibratedOn = [.. calibration.Select(c => c.Design.Name)],
        };
    }

    /// <summary>Reads a model file's text.</summary>
    public static ResourceModel Parse(string json)
    {
        var file = JsonSerializer.Deserialize<ModelFile>(json, Json) ?? throw new FormatException("resource model: empty file");
        return new ResourceModel
        {
            Modules = file.Modules, FittedOn = file.FittedOn, Tool = file.Tool,
            FlattenFactor = file.FlattenFactor is { Count: 4 } f ? f : throw new FormatException("resource model: flatten_factor needs four numbers"),
            FlattenFactorNoUnits = file.FlattenFactorNoUnits is { Count: 4 } g ? g : throw new FormatException("resource model: flatten_factor_no_units needs four numbers"),
            CalibratedOn = file.CalibratedOn ?? [],
        };
    }

    /// <summary>The model file's text (rounded coefficients, sorted keys: a refit of the same data gives the same file).</summary>
    public string ToJson()
    {
        var rounded = Modules.ToDictionary(m => m.Key, m => m.Value with
        {
            Coefficients = [.. m.Value.Coefficients.Select(c => (IReadOnlyList<double>)[.. c.Select(v => Math.Round(v, 4))])],
        });
        return JsonSerializer.Serialize(new ModelFile(Tool, FittedOn, FlattenFactor, FlattenFactorNoUnits, CalibratedOn, new SortedDictionary<string, ResourceModuleFit>(rounded, StringComparer.Ordinal)), Json) + "\n";
    }

    /// <summary>Relative error in percent, (model − measured) / measured; 0 when both are 0.</summary>
    public static double ErrorPct(double model, double measured) =>
        measured == 0 ? (model == 0 ? 0 : 100) : 100 * (model - measured) / measured;

    /// <summary>Formats a count for tables.</summary>
    public static string Format(double v) => v.ToString(Math.Abs(v - Math.Round(v)) < 1e-9 || Math.Abs(v) >= 100 ? "#,0" : "#,0.#", CultureInfo.InvariantCulture);

    private sealed record ModelFile(string Tool, IReadOnlyList<string> FittedOn, IReadOnlyList<double> FlattenFactor,
        IReadOnlyList<double> FlattenFactorNoUnits, IReadOnlyList<string>? CalibratedOn, IReadOnlyDictionary<string, ResourceModuleFit> Modules);
}
