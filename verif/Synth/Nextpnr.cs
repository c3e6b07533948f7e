using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;

namespace HwGen.Verif.Synth;

/// <summary>Places and routes a <c>synth_ice40</c> netlist with nextpnr-ice40 and reads back fmax and utilization.</summary>
public static partial class Nextpnr
{
    /// <summary>
    /// Runs nextpnr-ice40 on the JSON netlist written by <see cref="YosysSynth"/> for the iCE40 target.
    /// With <paramref name="packOnly"/> it stops after packing (seconds instead of minutes): the logic
    /// cell and block RAM counts are final, fmax is 0.
    /// </summary>
    public static async Task<NextpnrResult> RunIce40Async(string netlistJson, string device = "hx8k", string package = "ct256", double targetMhz = 12, bool packOnly = false, CancellationToken cancel = default)
    {
        var exe = HwGen.Verif.Toolchain.FindOnPath("nextpnr-ice40") ?? throw new ToolchainException("nextpnr-ice40 is not installed or not on PATH; install it with: apt-get install -y nextpnr-ice40");
        var dir = Path.GetDirectoryName(Path.GetFullPath(netlistJson))!;
        var log = Path.Combine(dir, "nextpnr.log");
        var watch = Stopwatch.StartNew();
        string[] arguments = ["--" + device, "--package", package, "--json", netlistJson, "--asc", Path.Combine(dir, "hwgen.asc"),
            "--freq", targetMhz.ToString(CultureInfo.InvariantCulture), "--seed", "1", "--log", log, "-q"];
        var result = await Cli.Wrap(exe)
            .WithArguments(packOnly ? [.. arguments, "--pack-only"] : arguments)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancel).ConfigureAwait(false);
        watch.Stop();
        var text = File.Exists(log) ? await File.ReadAllTextAsync(log, cancel).ConfigureAwait(false) : result.StandardError;
        if (result.ExitCode != 0)
        {
            throw new ToolFailedException($"nextpnr-ice40 failed (exit {result.ExitCode}); log: {log}\n{string.Join('\n', text.Split('\n').TakeLast(15))}");
        }

        var fmax = Fmax().Matches(text).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Last();
        var lc = Usage("ICESTORM_LC", text);
        var ram = Usage("ICESTORM_RAM", text);
        return new NextpnrResult(device, package, fmax, lc.Used, lc.Available, ram.Used, watch.Elapsed.TotalSeconds, log);
    }

    private static (long Used, long Available) Usage(string cell, string text)
    {
        var m = Regex.Matches(text, $@"{cell}:\s+(\d+)/\s*(\d+)").LastOrDefault();
        return m is null ? (0, 0) : (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"Max frequency for clock\s+'[^']*':\s+([0-9.]+) MHz")]
    private static partial Regex Fmax();
}
