using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;

namespace HwGen.Generator.Rendering;

/// <summary>
/// Renders every output of one design into a folder: Verilog, the ISA include, the filelist,
/// the resolved configuration, the C header and a manifest. Rendering happens in a staging
/// folder that replaces the target only when everything succeeded.
/// </summary>
public static class RtlGenerator
{
    /// <summary>Name of the file listing the Verilog sources in compile order.</summary>
    public const string FileListName = "filelist.f";

    /// <summary>Default Xilinx part in project files (Zynq-7020, as on PYNQ-Z2/ZedBoard-class boards).</summary>
    public const string FpgaPart = "xc7z020clg400-1";

    /// <summary>Clock period written into constraint templates.</summary>
    public const double ClockPeriodNs = 10.0;

    /// <summary>Top-level module name.</summary>
    public const string TopModule = "hwgen_top";

    /// <summary>Renders all outputs in memory: relative path → content. Deterministic for a given design.</summary>
    public static IReadOnlyDictionary<string, string> RenderAll(DesignModel design, string command)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var isaDefines = IsaRenderer.VerilogDefines();
        foreach (var name in TemplateStore.Names.Where(n => n.StartsWith("rtl/", StringComparison.Ordinal)))
        {
            var output = name["rtl/".Length..^".sbn".Length];
            var text = TemplateRenderer.Render(name, TemplateStore.Read(name), new Dictionary<string, object>
            {
                ["banner"] = Banner("//", name, design, command),
                ["d"] = design,
                ["isa_defines"] = isaDefines,
                ["k"] = KernelConstants.TemplateValues,
                ["post_registers"] = IsaSpec.PostRegisters.Select(r => r.Name.ToUpperInvariant()).ToArray(),
            });
            files[output] = text;
        }

        var sources = files.Keys.Where(k => k.EndsWith(".v", StringComparison.Ordinal))
            .OrderBy(k => k == TopModule + ".v" ? 1 : 0).ThenBy(k => k, StringComparer.Ordinal).ToArray();
        files[FileListName] = Banner("//", "(filelist)", design, command) +
            "+incdir+.\n" + string.Join("\n", sources) + "\n";

        files["config.yaml"] = Banner("#", "(resolved configuration)", design, command) + DesignResolver.ResolvedYaml(design);

        foreach (var name in TemplateStore.Names.Where(n => n.StartsWith("c/", StringComparison.Ordinal)))
        {
            files[name["c/".Length..^".sbn".Length]] = TemplateRenderer.Render(name, TemplateStore.Read(name), new Dictionary<string, object>
            {
                ["banner"] = Banner("//", name, design, command),
                ["d"] = design,
                ["isa_c_defines"] = IsaRenderer.CDefines(),
            });
        }

        var fpgaGlobals = new Dictionary<string, object>
        {
            ["d"] = design,
            ["files"] = sources,
            ["top"] = TopModule,
            ["part"] = FpgaPart,
            ["clock_ns"] = ClockPeriodNs.ToString("0.0##", CultureInfo.InvariantCulture),
            ["clock_mhz"] = (1000.0 / ClockPeriodNs).ToString("0.#", CultureInfo.InvariantCulture),
            ["registers"] = IsaSpec.Registers.Select(r => new DocRow(r.Name, $"0x{r.Offset:X3}", r.Access, r.Summary, string.Empty)).ToArray(),
            ["counters"] = IsaSpec.Counters.Select((c, i) => new DocRow(c.Name, $"0x{IsaSpec.CounterBase + (8 * i):X3}", string.Empty, c.Description, string.Empty)).ToArray(),
            ["faults"] = IsaSpec.FaultCodes.Select(f => new DocRow(f.Name, string.Empty, string.Empty, f.Description, f.Code.ToString(CultureInfo.InvariantCulture))).ToArray(),
        };
        foreach (var name in TemplateStore.Names.Where(n => n.StartsWith("fpga/", StringComparison.Ordinal)))
        {
            var output = name["fpga/".Length..^".sbn".Length];
            var comment = output.EndsWith(".md", StringComparison.Ordinal) ? "<!--"
                : output.EndsWith(".v", StringComparison.Ordinal) ? "//" : "#";
            var banner = Banner(comment, name, design, command);
            if (comment == "<!--")
            {
                banner = banner.Replace("<!--", "<!--", StringComparison.Ordinal).Replace("\n", " -->\n", StringComparison.Ordinal);
            }

            files[output] = TemplateRenderer.Render(name, TemplateStore.Read(name), new Dictionary<string, object>(fpgaGlobals) { ["banner"] = banner });
        }

        var manifest = new
        {
            generator = "hwgen " + TemplateStore.Version,
            config = design.Name,
            config_sha256 = design.ConfigSha256,
            top = TopModule,
            files = files.ToDictionary(f => f.Key, f => Sha256(f.Value)),
        };
        files["manifest.json"] = JsonSerializer.Serialize(manifest, ManifestJson) + "\n";
        return files;
    }

    /// <summary>
    /// Renders into <paramref name="outputDirectory"/> atomically: a failure leaves any previous
    /// contents untouched. Returns the list of files written.
    /// </summary>
    public static IReadOnlyList<string> Generate(DesignModel design, string outputDirectory, string command)
    {
        var files = RenderAll(design, command);
        var target = Path.GetFullPath(outputDirectory);
        if (IsUpToDate(target, files))
        {
            // Same design, same generator: leave the folder (and any waveforms or synthesis
            // results beside the sources) untouched.
            return files.Keys.Select(k => Path.Combine(target, k)).ToArray();
        }

        var parent = Path.GetDirectoryName(target) ?? throw new ArgumentException("output directory has no parent", nameof(outputDirectory));
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.staging-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var (path, content) in files)
            {
                var full = Path.Combine(staging, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, content, new UTF8Encoding(false));
            }

            string? old = null;
            if (Directory.Exists(target))
            {
                old = Path.Combine(parent, $".{Path.GetFileName(target)}.old-{Guid.NewGuid():N}");
                Directory.Move(target, old);
            }

            Directory.Move(staging, target);
            if (old is not null)
            {
                Directory.Delete(old, recursive: true);
            }
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            throw;
        }

        return files.Keys.Select(k => Path.Combine(target, k)).ToArray();
    }

    /// <summary>
    /// True when every rendered file already exists with identical content, ignoring the
    /// command line in banners (regenerating from another command must not churn the folder).
    /// </summary>
    private static bool IsUpToDate(string target, IReadOnlyDictionary<string, string> files)
    {
        static string WithoutCommand(string text) => string.Join('\n', text.Split('\n').Where(l => !l.Contains(" Command: ", StringComparison.Ordinal)));
        return Directory.Exists(target) && files.All(f =>
        {
            var path = Path.Combine(target, f.Key);
            return File.Exists(path) && (f.Key == "manifest.json"
                ? true
                : WithoutCommand(File.ReadAllText(path)) == WithoutCommand(f.Value));
        });
    }

    /// <summary>The Verilog sources named by a rendered folder's filelist, as absolute paths, in order.</summary>
    public static IReadOnlyList<string> ReadFileList(string rtlDirectory)
    {
        var list = Path.Combine(rtlDirectory, FileListName);
        return File.ReadAllLines(list)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal) && !l.StartsWith('+'))
            .Select(l => Path.GetFullPath(Path.Combine(rtlDirectory, l)))
            .ToArray();
    }

    /// <summary>The generated-file banner: version, command, template and config hash; never a timestamp.</summary>
    public static string Banner(string comment, string template, DesignModel design, string command)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{comment} Generated by hwgen {TemplateStore.Version}. Do not edit; edit the configuration or the template.\n");
        sb.Append(CultureInfo.InvariantCulture, $"{comment} Command: {command}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{comment} Template: {template}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{comment} Config: {design.Name}, resolved SHA-256 {design.ConfigSha256}\n");
        return sb.ToString();
    }

    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true };

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
