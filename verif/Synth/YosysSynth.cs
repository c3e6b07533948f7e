using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using HwGen.Generator.Rendering;

namespace HwGen.Verif.Synth;

/// <summary>
/// Runs Yosys on a generated RTL folder and reads back resource figures, logic depth, latches
/// and where each memory landed. Memories inside <c>hwgen_sram_sdp</c> are meant to be block
/// RAM; on Xilinx and iCE40 any of them in flip-flops or LUT RAM is a problem.
/// </summary>
public static partial class YosysSynth
{
    /// <summary>File name of the iCE40 JSON netlist inside the synthesis folder, for nextpnr.</summary>
    public const string NetlistName = "hwgen_ice40.json";

    /// <summary>
    /// The iCE40 place-and-route harness (rendered from templates/fpga, not in filelist.f): it
    /// shares and folds the core's ports onto fewer pins than a package has, so the iCE40 target
    /// synthesizes it as the top and the netlist can go straight to nextpnr.
    /// </summary>
    public const string Ice40HarnessModule = "hwgen_ice40_pnr";

    /// <summary>Synthesizes <paramref name="rtlDirectory"/> for a target. Throws <see cref="ToolchainException"/> when Yosys is absent.</summary>
    public static async Task<SynthResult> RunAsync(string rtlDirectory, SynthTarget target, CancellationToken cancel = default)
    {
        var yosys = Toolchain.FindOnPath("yosys") ?? throw new ToolchainException("yosys is not installed or not on PATH; install it with: apt-get install -y yosys");
        rtlDirectory = Path.GetFullPath(rtlDirectory);

        // Synthesize a snapshot of the sources in a private folder: a regeneration of the RTL
        // folder while Yosys runs (minutes for large arrays) must not pull files from under it.
        var work = Path.Combine(Path.GetTempPath(), $"hwgen-synth-{target.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        foreach (var file in Directory.GetFiles(rtlDirectory).Where(f => f.EndsWith(".v", StringComparison.Ordinal) || f.EndsWith(".vh", StringComparison.Ordinal) || f.EndsWith(".f", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(work, Path.GetFileName(file)));
        }

        var sources = RtlGenerator.ReadFileList(work).ToList();
        var harness = Path.Combine(work, Ice40HarnessModule + ".v");
        if (target == SynthTarget.Ice40)
        {
            if (!File.Exists(harness))
            {
                throw new ToolFailedException($"{Ice40HarnessModule}.v is missing from {rtlDirectory}; regenerate the RTL folder");
            }

            sources.Add(harness);
        }

        var statPath = Path.Combine(work, "stat.json");
        var logPath = Path.Combine(work, "yosys.log");
        var script = new StringBuilder();
        foreach (var source in sources)
        {
            script.Append(CultureInfo.InvariantCulture, $"read_verilog -I{Quote(work)} {Quote(source)}\n");
        }

        script.Append(target switch
        {
            SynthTarget.Xilinx => $"synth_xilinx -top {RtlGenerator.TopModule} -flatten\n",
            SynthTarget.Ice40 => $"synth_ice40 -top {Ice40HarnessModule} -json {Quote(Path.Combine(work, NetlistName))}\n",
            _ => $"synth -top {RtlGenerator.TopModule} -flatten\n",
        });
        script.Append(CultureInfo.InvariantCulture, $"tee -q -o {Quote(statPath)} stat -json\n");
        // Logic depth: the longest path through combinational cells only. Vendor flip-flops,
        // block RAMs and DSPs are not known to `ltp -noff`, so select the combinational cells.
        script.Append(target switch
        {
            SynthTarget.Xilinx => "ltp -noff w:* t:LUT* %u t:CARRY* %u t:MUXF* %u\n",
            SynthTarget.Ice40 => "ltp -noff w:* t:SB_LUT4 %u t:SB_CARRY %u\n",
            _ => "ltp -noff\n",
        });
        var scriptPath = Path.Combine(work, "synth.ys");
        await File.WriteAllTextAsync(scriptPath, script.ToString(), cancel).ConfigureAwait(false);

        var watch = Stopwatch.StartNew();
        var result = await Cli.Wrap(yosys)
            .WithArguments(["-q", "-l", logPath, "-s", scriptPath])
            .WithWorkingDirectory(work)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancel).ConfigureAwait(false);
        watch.Stop();
        if (result.ExitCode != 0)
        {
            var tail = File.Exists(logPath) ? string.Join('\n', File.ReadLines(logPath).TakeLast(20)) : result.StandardError;
            throw new ToolFailedException($"yosys failed (exit {result.ExitCode}); log: {logPath}\n{tail}");
        }

        // Keep only the lines the summary reads: a large design's log can run to gigabytes.
        var kept = new StringBuilder();
        foreach (var line in File.ReadLines(logPath))
        {
            if (line.Contains("apping memory", StringComparison.Ordinal) || line.Contains("Latch inferred", StringComparison.Ordinal) ||
                line.Contains("Longest topological path", StringComparison.Ordinal))
            {
                kept.Append(line).Append('\n');
            }
        }

        var log = kept.ToString();
        var cells = ReadCells(statPath);

        // Keep the results next to the RTL they came from.
        var results = Path.Combine(rtlDirectory, "synth-" + target.ToString().ToLowerInvariant());
        Directory.CreateDirectory(results);
        foreach (var name in new[] { "yosys.log", "stat.json", "synth.ys", NetlistName })
        {
            if (File.Exists(Path.Combine(work, name)))
            {
                File.Copy(Path.Combine(work, name), Path.Combine(results, name), overwrite: true);
            }
        }

        Directory.Delete(work, recursive: true);
        return Summarize(target, cells, log, watch.Elapsed.TotalSeconds, Path.Combine(results, "yosys.log"));
    }

    /// <summary>Classifies cells, memories and latches (pure; separated for tests).</summary>
    public static SynthResult Summarize(SynthTarget target, IReadOnlyDictionary<string, long> cells, string log, double seconds, string logPath)
    {
        long Sum(Func<string, bool> match) => cells.Where(c => match(c.Key)).Sum(c => c.Value);

        var luts = Sum(c => c.StartsWith("LUT", StringComparison.Ordinal) || c == "SB_LUT4" || c.StartsWith("$lut", StringComparison.Ordinal));
        var ffs = Sum(c => c.StartsWith("FD", StringComparison.Ordinal) || c.StartsWith("SB_DFF", StringComparison.Ordinal) ||
                           c.StartsWith("$_DFF", StringComparison.Ordinal) || c.StartsWith("$_SDFF", StringComparison.Ordinal) ||
                           c.StartsWith("$_DFFE", StringComparison.Ordinal) || c.StartsWith("$_SDFFE", StringComparison.Ordinal) ||
                           c.StartsWith("$_SDFFCE", StringComparison.Ordinal));
        var dsps = Sum(c => c.StartsWith("DSP48", StringComparison.Ordinal) || c == "SB_MAC16");
        var brams = Sum(c => c == "RAMB36E1" || c == "SB_RAM40_4K") + (0.5 * Sum(c => c == "RAMB18E1"));
        var lutRams = Sum(c => c.StartsWith("RAM32", StringComparison.Ordinal) || c.StartsWith("RAM64", StringComparison.Ordinal) ||
                               c.StartsWith("RAM128", StringComparison.Ordinal) || c.StartsWith("RAM256", StringComparison.Ordinal));
        var carry = Sum(c => c.StartsWith("CARRY", StringComparison.Ordinal) || c == "SB_CARRY");
        var latchCells = Sum(c => c.StartsWith("LD", StringComparison.Ordinal) || c.Contains("DLATCH", StringComparison.Ordinal));
        var inferredLatches = LatchInferred().Count(log);

        var memories = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in MappedVia().Matches(log))
        {
            memories[m.Groups[1].Value] = m.Groups[2].Value.Contains("BLOCKRAM", StringComparison.Ordinal) || m.Groups[2].Value.Contains("RAM4K", StringComparison.Ordinal) || m.Groups[2].Value.Contains("BRAM", StringComparison.Ordinal)
                ? "block RAM"
                : m.Groups[2].Value.Contains("LUTRAM", StringComparison.Ordinal) ? "LUT RAM" : m.Groups[2].Value;
        }

        foreach (Match m in MappedToLogic().Matches(log))
        {
            if (m.Groups[1].Value.Contains("proc_rom", StringComparison.Ordinal))
            {
                continue; // a constant table Yosys made from a case statement: logic, not a memory
            }

            memories[$"{m.Groups[2].Value.TrimStart('\\')}.{m.Groups[1].Value.TrimStart('\\')}"] = "flip-flops";
        }

        var problems = new List<string>();
        if (latchCells + inferredLatches > 0)
        {
            problems.Add($"{latchCells + inferredLatches} latch(es) inferred; the RTL must have none (see the log for 'Latch inferred')");
        }

        if (target != SynthTarget.Generic)
        {
            // Scratchpad and accumulator banks: hwgen_sram_sdp instances named u_ram (after -flatten the
            // memory is named by its hierarchical path, not by the module).
            foreach (var (name, kind) in memories.Where(m => m.Key.Contains("sram", StringComparison.OrdinalIgnoreCase) ||
                         m.Key.Contains("u_bank", StringComparison.Ordinal) || m.Key.Contains(".u_ram.", StringComparison.Ordinal)))
            {
                if (kind != "block RAM")
                {
                    problems.Add($"memory {name} is meant to be block RAM but was mapped to {kind}");
                }
            }
        }

        var depth = LongestPath().Match(log) is { Success: true } lp ? long.Parse(lp.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new SynthResult
        {
            Target = target,
            Luts = luts,
            FlipFlops = ffs,
            Dsps = dsps,
            Brams = brams,
            LutRams = lutRams,
            Carry = carry,
            Latches = latchCells + inferredLatches,
            LogicDepth = depth,
            Cells = cells,
            Memories = memories,
            Seconds = seconds,
            LogPath = logPath,
            Problems = problems,
            Netlist = target == SynthTarget.Ice40 ? Path.Combine(Path.GetDirectoryName(logPath)!, NetlistName) : null,
        };
    }

    private static Dictionary<string, long> ReadCells(string statPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(statPath));
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        var design = doc.RootElement.TryGetProperty("design", out var d) ? d : doc.RootElement.GetProperty("modules").EnumerateObject().First().Value;
        if (design.TryGetProperty("num_cells_by_type", out var byType))
        {
            foreach (var cell in byType.EnumerateObject())
            {
                result[cell.Name] = cell.Value.GetInt64();
            }
        }

        return result;
    }


    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;

    [GeneratedRegex(@"mapping memory (\S+) via (\S+)")]
    private static partial Regex MappedVia();

    [GeneratedRegex(@"Mapping memory (\S+) in module (\S+):")]
    private static partial Regex MappedToLogic();

    [GeneratedRegex(@"Latch inferred for signal")]
    private static partial Regex LatchInferred();

    [GeneratedRegex(@"Longest topological path in \S+ \(length=(\d+)\)")]
    private static partial Regex LongestPath();
}
