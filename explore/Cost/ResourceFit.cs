using System.Globalization;
using System.Text;
using System.Text.Json;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Verif.Synth;

namespace HwGen.Explore.Cost;

/// <summary>
/// Refits the resource model from its data folder (<c>explore/Cost</c>): <c>fit/*.yaml</c> are the fit
/// configurations, each with <c>fit/&lt;name&gt;.modules.json</c> (per-module figures of a hierarchical Yosys run);
/// <c>heldout/*.yaml</c> are configurations the fit never sees, each with <c>heldout/&lt;name&gt;.synth.json</c> (a
/// full flattened <c>synth_xilinx</c>: the JSON of <c>hwgen synth --target xilinx --json</c>); a fit configuration with a
/// <c>.synth.json</c> too calibrates the flattening factor. The fit writes <c>resource-model.json</c>.
/// </summary>
public static class ResourceFit
{
    /// <summary>What the fit's measurements come from.</summary>
    public const string Tool = "Yosys 0.23 synth_xilinx -top hwgen_top (hierarchy kept; per-module cells)";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The fit configurations of a data folder, sorted by file name.</summary>
    public static IReadOnlyList<string> FitConfigs(string dir) => Configs(Path.Combine(dir, "fit"));

    /// <summary>The held-out configurations of a data folder, sorted by file name.</summary>
    public static IReadOnlyList<string> HeldOutConfigs(string dir) => Configs(Path.Combine(dir, "heldout"));

    /// <summary>Where a fit configuration's per-module figures are stored.</summary>
    public static string ModulesPath(string config) => Path.ChangeExtension(config, ".modules.json");

    /// <summary>Where a held-out configuration's full-synthesis figures are stored.</summary>
    public static string SynthPath(string config) => Path.ChangeExtension(config, ".synth.json");

    /// <summary>Generates <paramref name="config"/>'s RTL in a temporary folder and synthesizes it keeping the hierarchy; stores the per-module figures.</summary>
    public static async Task<IReadOnlyDictionary<string, FpgaCounts>> SynthesizeModulesAsync(string config, CancellationToken cancel = default)
    {
        var design = DesignResolver.LoadFile(config);
        var rtl = Path.Combine(Path.GetTempPath(), $"hwgen-fit-{design.Name}-{Guid.NewGuid():N}");
        try
        {
            RtlGenerator.Generate(design, rtl, "hwgen resource-fit --synth");
            var measured = await YosysModules.RunAsync(rtl, cancel).ConfigureAwait(false);
            Store(config, measured);
            return measured;
        }
        finally
        {
            if (Directory.Exists(rtl))
            {
                Directory.Delete(rtl, recursive: true);
            }
        }
    }

    /// <summary>Stores a fit configuration's per-module figures.</summary>
    public static void Store(string config, IReadOnlyDictionary<string, FpgaCounts> measured) => File.WriteAllText(ModulesPath(config), ToJson(measured));

    /// <summary>Generates <paramref name="config"/>'s RTL in a temporary folder, runs a full flattened Xilinx synthesis, stores the figures.</summary>
    public static async Task<FpgaCounts> SynthesizeFullAsync(string config, CancellationToken cancel = default)
    {
        var design = DesignResolver.LoadFile(config);
        var rtl = Path.Combine(Path.GetTempPath(), $"hwgen-check-{design.Name}-{Guid.NewGuid():N}");
        try
        {
            RtlGenerator.Generate(design, rtl, "hwgen resource-fit --check");
            var r = await YosysSynth.RunAsync(rtl, SynthTarget.Xilinx, cancel).ConfigureAwait(false);
            var counts = new FpgaCounts(r.Luts, r.FlipFlops, r.Dsps, r.Brams);
            await File.WriteAllTextAsync(SynthPath(config), JsonSerializer.Serialize(new
            {
                config = design.Name, target = "xilinx", luts = r.Luts, ffs = r.FlipFlops, dsps = r.Dsps, brams = r.Brams, seconds = Math.Round(r.Seconds),
            }, Json) + "\n", cancel).ConfigureAwait(false);
            return counts;
        }
        finally
        {
            if (Directory.Exists(rtl))
            {
                Directory.Delete(rtl, recursive: true);
            }
        }
    }

    /// <summary>The fit points of a data folder that have stored per-module figures.</summary>
    public static IReadOnlyList<(DesignModel Design, IReadOnlyDictionary<string, FpgaCounts> Measured)> LoadFitPoints(string dir) =>
        [.. FitConfigs(dir).Where(c => File.Exists(ModulesPath(c))).Select(c => (DesignResolver.LoadFile(c), Read(ModulesPath(c))))];

    /// <summary>Fits the model to a data folder's stored figures (without writing it).</summary>
    public static ResourceModel FitDirectory(string dir)
    {
        var points = LoadFitPoints(dir);
        return points.Count == 0
            ? throw new FileNotFoundException($"{Path.Combine(dir, "fit")}: no fit configuration has its .modules.json; run hwgen resource-fit --synth")
            : ResourceModel.Fit(points, [.. FitConfigs(dir).Where(c => File.Exists(ModulesPath(c)) && File.Exists(SynthPath(c)))
                .Select(c => (DesignResolver.LoadFile(c), Read(ModulesPath(c)).GetValueOrDefault("hwgen_top", FpgaCounts.Zero), ReadFull(SynthPath(c))))], Tool);
    }

    /// <summary>The model's module sum (before <see cref="ResourceModel.FlattenFactor"/>) against each fit point's hierarchical total.</summary>
    public static IReadOnlyList<ResourceComparison> FitErrors(ResourceModel model, string dir)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. LoadFitPoints(dir).Select(p => new ResourceComparison(p.Design.Name,
            model.PredictModules(p.Design).Values.Aggregate(FpgaCounts.Zero, (s, m) => s + m), p.Measured.GetValueOrDefault("hwgen_top", FpgaCounts.Zero)))];
    }

    /// <summary>The model against each held-out configuration's stored full synthesis.</summary>
    public static IReadOnlyList<ResourceComparison> HeldOutErrors(ResourceModel model, string dir)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. HeldOutConfigs(dir).Where(c => File.Exists(SynthPath(c)))
            .Select(c => (Design: DesignResolver.LoadFile(c), Measured: ReadFull(SynthPath(c))))
            .Select(p => new ResourceComparison(p.Design.Name, model.Predict(p.Design), p.Measured))];
    }

    /// <summary>Reads a stored figures file (module name → [LUTs, FFs, DSPs, BRAMs]).</summary>
    public static IReadOnlyDictionary<string, FpgaCounts> Read(string path)
    {
        var raw = JsonSerializer.Deserialize<SortedDictionary<string, double[]>>(File.ReadAllText(path))
            ?? throw new FormatException($"{path}: empty");
        return raw.ToDictionary(kv => kv.Key, kv => kv.Value.Length == 4 ? FpgaCounts.FromArray(kv.Value)
            : throw new FormatException($"{path}: {kv.Key}: expected [luts, ffs, dsps, brams]"), StringComparer.Ordinal);
    }

    /// <summary>Reads a full synthesis's figures: the JSON of <c>hwgen synth --target xilinx --json</c> (luts, ffs, dsps, brams).</summary>
    public static FpgaCounts ReadFull(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        double Get(string name) => doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : throw new FormatException($"{path}: no number '{name}' (expected the JSON of hwgen synth --target xilinx --json)");
        return new FpgaCounts(Get("luts"), Get("ffs"), Get("dsps"), Get("brams"));
    }

    /// <summary>A table of comparisons, one line per configuration and the largest absolute error per resource.</summary>
    public static string Table(string title, IReadOnlyList<ResourceComparison> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(title).Append('\n');
        sb.Append("  config                LUTs model/measured (err)   FFs model/measured (err)   DSPs model/measured (err)   BRAM model/measured (err)\n");
        foreach (var r in rows)
        {
            var (m, s, e) = (r.Model.ToArray(), r.Measured.ToArray(), r.ErrorPct);
            sb.Append(inv, $"  {r.Name,-20}");
            for (var i = 0; i < 4; i++)
            {
                var err = Math.Round(e[i], 1);
                sb.Append(inv, $"  {ResourceModel.Format(m[i]),8}/{ResourceModel.Format(s[i]),-8} ({(err == 0 ? 0 : err),6:+0.0;-0.0;0.0} %)");
            }

            sb.Append('\n');
        }

        if (rows.Count > 0)
        {
            sb.Append("  largest |error|     ");
            for (var i = 0; i < 4; i++)
            {
                sb.Append(inv, $"  {rows.Max(r => Math.Abs(r.ErrorPct[i])),22:0.0} %");
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    private static string ToJson(IReadOnlyDictionary<string, FpgaCounts> counts) =>
        JsonSerializer.Serialize(new SortedDictionary<string, double[]>(counts.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()), StringComparer.Ordinal), Json) + "\n";

    private static List<string> Configs(string folder) =>
        Directory.Exists(folder) ? [.. Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal)] : [];
}
