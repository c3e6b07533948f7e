using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;
using HwGen.Generator.Rendering;

namespace HwGen.Verif.Synth;

/// <summary>
/// Synthesizes a generated RTL folder for Xilinx 7-series <em>keeping the hierarchy</em> (<c>synth_xilinx -top
/// hwgen_top</c> without <c>-flatten</c>) and reads back each module's resources including its submodules, summed
/// over all its instances: the per-module figures the FPGA resource model is fitted to. Every instance of one
/// parameterization is synthesized once, so a large array costs little more than one PE.
/// </summary>
public static class YosysModules
{
    /// <summary>Runs Yosys; returns, per module name (<c>hwgen_gelu</c>, ...), the resources of all its instances and, under <c>hwgen_top</c>, the design's.</summary>
    public static async Task<IReadOnlyDictionary<string, FpgaCounts>> RunAsync(string rtlDirectory, CancellationToken cancel = default)
    {
        var yosys = Toolchain.FindOnPath("yosys") ?? throw new ToolchainException("yosys is not installed or not on PATH; install it with: apt-get install -y yosys");
        rtlDirectory = Path.GetFullPath(rtlDirectory);
        var work = Path.Combine(Path.GetTempPath(), $"hwgen-modules-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            foreach (var file in Directory.GetFiles(rtlDirectory).Where(f => f.EndsWith(".v", StringComparison.Ordinal) || f.EndsWith(".vh", StringComparison.Ordinal) || f.EndsWith(".f", StringComparison.Ordinal)))
            {
                File.Copy(file, Path.Combine(work, Path.GetFileName(file)));
            }

            var script = new StringBuilder();
            foreach (var source in RtlGenerator.ReadFileList(work))
            {
                script.Append(CultureInfo.InvariantCulture, $"read_verilog -I{work} {source}\n");
            }

            var statPath = Path.Combine(work, "stat.json");
            script.Append(CultureInfo.InvariantCulture, $"synth_xilinx -top {RtlGenerator.TopModule}\ntee -q -o {statPath} stat -json\n");
            var scriptPath = Path.Combine(work, "synth.ys");
            await File.WriteAllTextAsync(scriptPath, script.ToString(), cancel).ConfigureAwait(false);
            var logPath = Path.Combine(work, "yosys.log");
            var watch = Stopwatch.StartNew();
            var result = await Cli.Wrap(yosys).WithArguments(["-q", "-l", logPath, "-s", scriptPath]).WithWorkingDirectory(work)
                .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(cancel).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                var tail = File.Exists(logPath) ? string.Join('\n', File.ReadLines(logPath).TakeLast(20)) : result.StandardError;
                throw new ToolFailedException($"yosys failed (exit {result.ExitCode}); log: {logPath}\n{tail}");
            }

            var results = Path.Combine(rtlDirectory, "synth-modules");
            Directory.CreateDirectory(results);
            File.Copy(statPath, Path.Combine(results, "stat.json"), overwrite: true);
            File.WriteAllText(Path.Combine(results, "seconds.txt"), watch.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + "\n");
            return FromStat(File.ReadAllText(statPath));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Per module name, the resources of all its instances in the design under <c>hwgen_top</c> (pure; for tests and refits from stored stat files).</summary>
    public static IReadOnlyDictionary<string, FpgaCounts> FromStat(string statJson)
    {
        using var doc = JsonDocument.Parse(ModulesOnly(statJson));
        var modules = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        foreach (var m in doc.RootElement.GetProperty("modules").EnumerateObject())
        {
            var cells = new Dictionary<string, long>(StringComparer.Ordinal);
            if (m.Value.TryGetProperty("num_cells_by_type", out var byType))
            {
                foreach (var c in byType.EnumerateObject())
                {
                    cells[c.Name] = c.Value.GetInt64();
                }
            }

            modules[m.Name.TrimStart('\\')] = cells; // a module without parameters is "\\hwgen_x" here, "hwgen_x" as a cell type
        }

        // Inclusive figures of every derived module, then instance counts from the top down.
        var inclusive = new Dictionary<string, FpgaCounts>(StringComparer.Ordinal);
        FpgaCounts Inclusive(string name)
        {
            if (inclusive.TryGetValue(name, out var known))
            {
                return known;
            }

            var cells = modules[name];
            var own = FpgaCounts.FromCells(cells);
            foreach (var (type, count) in cells.Where(c => modules.ContainsKey(c.Key)))
            {
                own += count * Inclusive(type);
            }

            return inclusive[name] = own;
        }

        var top = modules.Keys.Single(k => BaseName(k) == RtlGenerator.TopModule);
        var instances = new Dictionary<string, long>(StringComparer.Ordinal);
        void Walk(string name, long times)
        {
            instances[name] = instances.GetValueOrDefault(name) + times;
            foreach (var (type, count) in modules[name].Where(c => modules.ContainsKey(c.Key)))
            {
                Walk(type, times * count);
            }
        }

        Walk(top, 1);
        var byBase = new SortedDictionary<string, FpgaCounts>(StringComparer.Ordinal);
        foreach (var (name, times) in instances)
        {
            var b = BaseName(name);
            byBase[b] = byBase.GetValueOrDefault(b, FpgaCounts.Zero) + (times * Inclusive(name));
        }

        return byBase;
    }

    /// <summary>
    /// The <c>"modules"</c> object of a <c>stat -json</c> file as a JSON document of its own: Yosys 0.23 prints the
    /// design hierarchy as plain text after it, which leaves the file as a whole unreadable as JSON.
    /// </summary>
    private static string ModulesOnly(string statJson)
    {
        var start = statJson.IndexOf("\"modules\"", StringComparison.Ordinal);
        var open = start < 0 ? -1 : statJson.IndexOf('{', start);
        if (open < 0)
        {
            throw new ToolFailedException("yosys stat -json output has no \"modules\" object");
        }

        var depth = 0;
        var inString = false;
        for (var i = open; i < statJson.Length; i++)
        {
            var c = statJson[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return "{\"modules\": " + statJson[open..(i + 1)] + "}";
            }
        }

        throw new ToolFailedException("yosys stat -json output ends inside the \"modules\" object");
    }

    /// <summary><c>$paramod$…\hwgen_gelu</c> or <c>$paramod\hwgen_gelu\LANES=…</c> → <c>hwgen_gelu</c>.</summary>
    private static string BaseName(string derived)
    {
        var name = derived.TrimStart('\\');
        if (!name.StartsWith("$paramod", StringComparison.Ordinal))
        {
            return name;
        }

        var parts = name.Split('\\');
        return parts.Length > 1 ? parts[1] : name;
    }
}
