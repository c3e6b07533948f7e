using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HwGen.Generator.Rendering;
using HwGen.Verif;
using HwGen.Verif.Synth;
using Spectre.Console;

namespace HwGen.Cli;

/// <summary>The <c>synth</c> command: generate the RTL and run Yosys for resource figures and checks.</summary>
internal static class SynthCommand
{
    public static Command Create(string[] args)
    {
        var config = new Argument<FileInfo>("config") { Description = "Configuration YAML." };
        var target = new Option<string>("--target") { Description = "xilinx, ice40 or generic.", DefaultValueFactory = _ => "xilinx" };
        target.AcceptOnlyFromAmong("xilinx", "ice40", "generic");
        var json = new Option<FileInfo?>("--json") { Description = "Write the figures as JSON." };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "RTL folder (default: rtl-out/<name>)." };
        var pnr = new Option<bool>("--pnr") { Description = "iCE40 only: place and route with nextpnr-ice40 (HX8K) and report fmax." };
        var cmd = new Command("synth", "Synthesize with Yosys: LUTs, FFs, DSPs, BRAMs, carry cells, logic depth; fails on latches or block RAM landing in flip-flops.")
        {
            config, target, json, output, pnr,
        };
        cmd.SetAction(async (parse, cancel) =>
        {
            var design = CliApp.LoadDesign(parse.GetValue(config)!);
            if (design is null)
            {
                return ExitCodes.BadInput;
            }

            var dir = parse.GetValue(output)?.FullName ?? Path.Combine("rtl-out", design.Name);
            RtlGenerator.Generate(design, dir, CliApp.CommandLine(args));
            var synthTarget = Enum.Parse<SynthTarget>(parse.GetValue(target)!, ignoreCase: true);
            SynthResult result;
            try
            {
                result = await AnsiConsole.Status().StartAsync($"yosys: synthesizing {design.Name} for {synthTarget}…",
                    _ => YosysSynth.RunAsync(dir, synthTarget, cancel)).ConfigureAwait(false);
            }
            catch (ToolchainException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.ToolError;
            }
            catch (Exception ex) when (ex is ToolFailedException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.ToolError;
            }

            var table = new Table().AddColumns("Resource", "Count");
            table.Title = new TableTitle($"{design.Name} ({design.Rows}x{design.Cols}, {design.Pes} PEs), yosys {synthTarget}, {result.Seconds:0.0} s");
            table.AddRow("LUTs", result.Luts.ToString(CultureInfo.InvariantCulture));
            table.AddRow("Flip-flops", result.FlipFlops.ToString(CultureInfo.InvariantCulture));
            table.AddRow("DSPs", $"{result.Dsps} ({(double)result.Dsps / design.Pes:0.##} per PE)");
            table.AddRow("Block RAMs", result.Brams.ToString("0.#", CultureInfo.InvariantCulture));
            table.AddRow("LUT RAM cells", result.LutRams.ToString(CultureInfo.InvariantCulture));
            table.AddRow("Carry cells", result.Carry.ToString(CultureInfo.InvariantCulture));
            table.AddRow("Latches", result.Latches.ToString(CultureInfo.InvariantCulture));
            table.AddRow("Logic depth (cells)", result.LogicDepth.ToString(CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            if (synthTarget == SynthTarget.Ice40)
            {
                AnsiConsole.MarkupLineInterpolated($"  top: {YosysSynth.Ice40HarnessModule} (the core with its ports shared and folded onto 186 pins; see INTEGRATION.md)");
            }

            foreach (var (memory, kind) in result.Memories)
            {
                AnsiConsole.MarkupLineInterpolated($"  memory {memory}: {kind}");
            }

            NextpnrResult? placed = null;
            if (parse.GetValue(pnr) && result.Netlist is { } netlist)
            {
                try
                {
                    placed = await AnsiConsole.Status().StartAsync("nextpnr-ice40: placing and routing…",
                        _ => Nextpnr.RunIce40Async(netlist, cancel: cancel)).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is ToolchainException or ToolFailedException)
                {
                    Console.Error.WriteLine($"error: {ex.Message}");
                    return ExitCodes.ToolError;
                }

                AnsiConsole.MarkupLineInterpolated($"nextpnr-ice40 {placed.Device}/{placed.Package}: fmax [bold]{placed.FmaxMhz:0.00} MHz[/], {placed.LogicCellsUsed}/{placed.LogicCellsAvailable} logic cells, {placed.RamsUsed} block RAMs ({placed.Seconds:0} s)");
            }

            if (parse.GetValue(json) is { } jsonFile && !await Outputs.OutputFiles.TryWriteAsync("--json", jsonFile.FullName, JsonSerializer.Serialize(new
                {
                    config = design.Name,
                    target = synthTarget.ToString().ToLowerInvariant(),
                    luts = result.Luts,
                    ffs = result.FlipFlops,
                    dsps = result.Dsps,
                    brams = result.Brams,
                    lutrams = result.LutRams,
                    carry = result.Carry,
                    latches = result.Latches,
                    logic_depth = result.LogicDepth,
                    memories = result.Memories,
                    cells = result.Cells,
                    problems = result.Problems,
                    pnr = placed,
                    seconds = result.Seconds,
                }, JsonOptions), cancel).ConfigureAwait(false))
            {
                return result.Ok ? ExitCodes.BadInput : ExitCodes.Mismatch;
            }

            foreach (var problem in result.Problems)
            {
                Console.Error.WriteLine($"error: {problem}");
            }

            return result.Ok ? ExitCodes.Ok : ExitCodes.Mismatch;
        });
        return cmd;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
}
