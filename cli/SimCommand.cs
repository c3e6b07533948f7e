using System.CommandLine;
using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Generator.Rendering;
using HwGen.Report;
using HwGen.Software.Compiler;
using HwGen.Software.Layers;
using HwGen.Software.Performance;
using HwGen.Software.Programs;
using HwGen.Software.References;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Spectre.Console;

namespace HwGen.Cli;

/// <summary>The <c>sim</c> command: compile a workload (or assemble a program), co-simulate it, compare with the golden model.</summary>
internal static class SimCommand
{
    public static Command Create(string[] args)
    {
        var config = new Argument<FileInfo>("config") { Description = "Configuration YAML." };
        var workload = new Option<string?>("--workload", "-w") { Description = "Workload, e.g. gemm:M=100,N=77,K=45[,seed=N][,relu=1]." };
        var program = new Option<FileInfo?>("--program") { Description = "Hand-written assembly program (.s) instead of a workload." };
        var memory = new Option<FileInfo?>("--memory") { Description = "With --program: initial DRAM image (raw bytes from address 0)." };
        var dataflow = new Option<string?>("--dataflow") { Description = "ws or os (default: ws when the design supports it)." };
        dataflow.AcceptOnlyFromAmong("ws", "os");
        var seed = new Option<ulong?>("--seed") { Description = "Workload data seed (overrides seed= in the workload) and AXI randomization seed." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the report as JSON." };
        var dump = new Option<DirectoryInfo?>("--dump") { Description = "Write every tensor as .npy plus meta.json (layers: also every bias, gamma/beta, scale and the float reference)." };
        var plot = new Option<FileInfo?>("--plot") { Description = "Draw the per-operation cycle breakdown (array busy and idle causes) as a PNG." };
        var trace = new Option<bool>("--trace") { Description = "Write an FST waveform (rtl-out/<name>/sim.fst unless --trace-file)." };
        var traceFile = new Option<FileInfo?>("--trace-file") { Description = "Waveform path for --trace." };
        var latency = new Option<int>("--latency") { Description = "AXI memory read/write latency in cycles.", DefaultValueFactory = _ => 1 };
        var stall = new Option<int>("--stall-pct") { Description = "Random AXI ready/valid backpressure, percent of cycles (0-95).", DefaultValueFactory = _ => 0 };
        var jitter = new Option<int>("--jitter") { Description = "Random extra AXI latency, 0..N cycles.", DefaultValueFactory = _ => 0 };
        var maxCycles = new Option<long>("--max-cycles") { Description = "Stop as a timeout after this many cycles.", DefaultValueFactory = _ => 200_000_000 };
        var watchdog = new Option<long>("--watchdog") { Description = "Report a hang after this many cycles without progress (0 = off).", DefaultValueFactory = _ => CosimOptions.DefaultWatchdog };
        var slverr = new Option<string?>("--slverr") { Description = "Inject AXI SLVERR for beats touching [LO, HI): LO:HI[:r|w] (r = reads only, w = writes only)." };
        var pruneTokens = new Option<string?>("--prune-tokens")
        {
            Description = "Token pruning of a layer stack, one program per layer, against the unpruned stack: LAYER:keep=F (budget) or LAYER:threshold=T, comma-separated (docs/pruning.md).",
        };
        var goldenPrefill = new Option<bool>("--golden-prefill")
        {
            Description = "Generation workloads: run the prompt's prefill on the golden model only and co-simulate the decode steps from its DRAM image (long contexts).",
        };
        var cmd = new Command("sim", "Co-simulate a workload on the generated RTL in Verilator and compare every output bit with the golden model.")
        {
            config, workload, program, memory, dataflow, seed, json, dump, plot, trace, traceFile, latency, stall, jitter, maxCycles, watchdog, slverr, pruneTokens, goldenPrefill,
        };
        cmd.SetAction(async (parse, cancel) =>
        {
            var design = CliApp.LoadDesign(parse.GetValue(config)!);
            if (design is null)
            {
                return ExitCodes.BadInput;
            }

            // Every path was checked before this action ran (Validation/ArgumentValidator).
            var plotPath = parse.GetValue(plot)?.FullName;
            CosimOptions StepOptions() => new()
            {
                Seed = parse.GetValue(seed) ?? 1, ReadLatency = parse.GetValue(latency), WriteLatency = parse.GetValue(latency), StallPercent = parse.GetValue(stall),
                Jitter = parse.GetValue(jitter), MaxCycles = parse.GetValue(maxCycles), Watchdog = parse.GetValue(watchdog),
            };

            if (parse.GetValue(program) is null && HwGen.Software.Decode.BildSpec.Is(parse.GetValue(workload)))
            {
                // Big-little decoding (docs/decode.md): two decoders, co-simulated step by step.
                var (bild, bildError) = BildSim.Parse(parse.GetValue(workload)!, parse.GetValue(seed));
                var refused = parse.GetValue(dump) is not null || plotPath is not null || parse.GetValue(trace) || parse.GetValue(slverr) is not null || parse.GetValue(dataflow) is not null
                    || parse.GetValue(pruneTokens) is not null || parse.GetValue(goldenPrefill);
                if (bildError is not null || refused)
                {
                    Console.Error.WriteLine($"error: {bildError ?? "--dump, --plot, --trace, --slverr, --dataflow, --prune-tokens and --golden-prefill are not supported with a bild workload"}");
                    return ExitCodes.BadInput;
                }

                var bildOptions = StepOptions();
                return await BildSim.RunAsync(design, parse.GetValue(config)!.ToString(), bild!, bildOptions, parse.GetValue(json), cancel).ConfigureAwait(false);
            }

            if (parse.GetValue(pruneTokens) is { } prune)
            {
                var given = new (string Name, bool Given)[]
                {
                    ("--program", parse.GetValue(program) is not null), ("--dump", parse.GetValue(dump) is not null), ("--plot", plotPath is not null),
                    ("--trace", parse.GetValue(trace)), ("--slverr", parse.GetValue(slverr) is not null), ("--dataflow", parse.GetValue(dataflow) is not null),
                    ("--golden-prefill", parse.GetValue(goldenPrefill)),
                }.FirstOrDefault(o => o.Given).Name;
                var pruneOptions = StepOptions();
                return given is not null
                    ? TokenPruneSim.Refuse($"{given} is not supported with --prune-tokens")
                    : await TokenPruneSim.RunAsync(design, parse.GetValue(config)!.ToString(), parse.GetValue(workload), prune, pruneOptions, parse.GetValue(json), cancel).ConfigureAwait(false);
            }

            if (DecodeWorkload(parse.GetValue(workload), parse.GetValue(program), parse.GetValue(seed)) is var (decode, error))
            {
                var unsupported = new (string Name, bool Given)[]
                {
                    ("--dump", parse.GetValue(dump) is not null), ("--trace", parse.GetValue(trace)),
                    ("--slverr", parse.GetValue(slverr) is not null), ("--dataflow", parse.GetValue(dataflow) is not null),
                }.FirstOrDefault(o => o.Given).Name;
                if (error is not null || unsupported is not null)
                {
                    Console.Error.WriteLine($"error: {error ?? unsupported + " is not supported with a generation workload (generate=)"}");
                    return ExitCodes.BadInput;
                }

                var decodeOptions = StepOptions();
                return await DecodeSim.RunAsync(design, parse.GetValue(config)!.ToString(), decode!, decodeOptions, parse.GetValue(json), plotPath, parse.GetValue(goldenPrefill), cancel).ConfigureAwait(false);
            }

            if (parse.GetValue(goldenPrefill))
            {
                Console.Error.WriteLine("error: --golden-prefill applies to a generation workload (generate=N), whose prompt prefill it runs on the golden model only");
                return ExitCodes.BadInput;
            }

            CompiledProgram compiled;
            LayerRun? layer;
            (long Start, long End, SlaveErrorDirection Direction)? injected;
            try
            {
                injected = ParseSlaveError(parse.GetValue(slverr));
                (compiled, layer) = BuildProgram(design, parse.GetValue(workload), parse.GetValue(program), parse.GetValue(memory), parse.GetValue(dataflow), parse.GetValue(seed));
            }
            catch (AssemblyException ex)
            {
                Console.Error.WriteLine($"error: {parse.GetValue(program)!.FullName}: {ex.Message}");
                return ExitCodes.BadInput;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or IOException or InvalidOperationException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.BadInput;
            }

            var dir = Cosimulation.RtlDirectory(design);
            var tracePath = parse.GetValue(trace) ? (parse.GetValue(traceFile)?.FullName ?? Path.GetFullPath(Path.Combine(dir, "sim.fst"))) : null;
            if (tracePath is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(tracePath)!);
            }

            var options = new CosimOptions
            {
                Seed = parse.GetValue(seed) ?? 1,
                ReadLatency = parse.GetValue(latency),
                WriteLatency = parse.GetValue(latency),
                StallPercent = parse.GetValue(stall),
                Jitter = parse.GetValue(jitter),
                MaxCycles = parse.GetValue(maxCycles),
                Watchdog = parse.GetValue(watchdog),
                SlaveErrorRange = injected is { } e ? (e.Start, e.End) : null,
                SlaveErrorDirection = injected?.Direction ?? SlaveErrorDirection.Both,
                TracePath = tracePath,
                // As typed (relative stays relative): the JSON report records it, and must not carry the checkout's folder.
                DumpDirectory = parse.GetValue(dump)?.ToString(),
            };

            CosimReport report;
            try
            {
                report = await Cosimulation.RunAsync(
                    design,
                    parse.GetValue(config)!.ToString(),
                    compiled,
                    options,
                    layer is null ? null : UntiledReference.ForLayers(layer.Layers),
                    tracePath is not null,
                    cancel).ConfigureAwait(false);
            }
            catch (ToolchainException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.ToolError;
            }
            catch (HarnessBuildException ex)
            {
                Console.Error.WriteLine($"error: building the Verilator model failed: {ex.Message}");
                return ExitCodes.ToolError;
            }

            if (layer is not null)
            {
                report = report with { Layer = layer.Report(design, report, parameters: new PerfParameters(MemoryLatency: options.ReadLatency)) };
                if (options.DumpDirectory is not null)
                {
                    LayerDump.Write(options.DumpDirectory, layer, report);
                }
            }

            ReportPrinter.Print(design, compiled, report, tracePath, options.DumpDirectory);
            var jsonFailed = parse.GetValue(json) is { } jsonFile
                && !await Outputs.OutputFiles.TryWriteAsync("--json", jsonFile.FullName, CosimReportJson.Serialize(report), cancel).ConfigureAwait(false);

            var outcome = ExitCodes.Of(report);
            if (plotPath is not null)
            {
                // Written last: the report, JSON and dump above are kept whatever happens here.
                try
                {
                    // The check removed any folders it created for its probe; create them for real now.
                    Directory.CreateDirectory(Path.GetDirectoryName(plotPath)!);
                    OperationPlot.Save(plotPath, OperationPlot.Title(report), OperationPlot.Bars(report));
                    AnsiConsole.MarkupLineInterpolated($"plot: {plotPath}");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    Console.Error.WriteLine($"error: --plot {plotPath}: {ex.Message} (the report{(parse.GetValue(json) is null ? "" : " and JSON")} above {(parse.GetValue(json) is null ? "is" : "are")} complete)");
                    return outcome == ExitCodes.Ok ? ExitCodes.BadInput : outcome;
                }
            }

            return jsonFailed && outcome == ExitCodes.Ok ? ExitCodes.BadInput : outcome;
        });
        return cmd;
    }

    /// <summary>
    /// The decoder of a generation workload (<c>generate=</c>, <c>prompt=</c> or <c>vocab=</c>) with null error, or null
    /// model and the error; null when the workload is not a generation (or does not parse: BuildProgram reports that).
    /// </summary>
    private static (HwGen.Software.Decode.DecodeModel? Model, string? Error)? DecodeWorkload(string? workload, FileInfo? program, ulong? seed)
    {
        WorkloadSpec spec;
        try
        {
            spec = WorkloadSpec.Parse(workload ?? string.Empty);
        }
        catch (FormatException)
        {
            return null;
        }

        if (program is not null || !HwGen.Software.Decode.DecodeModel.IsDecode(spec))
        {
            return null;
        }

        try
        {
            if (seed is { } s)
            {
                spec = spec with { Parameters = spec.Parameters.SetItem("seed", checked((long)s)) };
            }

            HwGen.Software.Decode.DecodeModel.Check(spec);
            return (HwGen.Software.Decode.DecodeModel.Create(spec), null);
        }
        catch (Exception ex) when (ex is ArgumentException or OverflowException)
        {
            return (null, ex.Message);
        }
    }

    private static (CompiledProgram Program, LayerRun? Layer) BuildProgram(DesignModel design, string? workload, FileInfo? program, FileInfo? memory, string? dataflow, ulong? seed)
    {
        if ((workload is null) == (program is null))
        {
            throw new ArgumentException("give exactly one of --workload SPEC or --program FILE.s");
        }

        if (program is not null)
        {
            return (AssembledProgram.Load(program.FullName, memory?.FullName), null);
        }

        Dataflow? df = dataflow switch
        {
            "ws" => Dataflow.Ws,
            "os" => Dataflow.Os,
            _ => null,
        };
        if (df is { } asked && !design.Supports(asked))
        {
            throw new ArgumentException($"--dataflow {dataflow}: configuration '{design.Name}' has array.dataflow without it");
        }

        var spec = WorkloadSpec.Parse(workload!);
        if (seed is { } s)
        {
            spec = spec with { Parameters = spec.Parameters.SetItem("seed", checked((long)s)) };
        }

        return WorkloadCompiler.Prepare(design, spec, df);
    }

    private static (long Start, long End, SlaveErrorDirection Direction)? ParseSlaveError(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var parts = text.Split(':');
        static long Num(string s) => s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.Parse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : long.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
        if (parts.Length is < 2 or > 3 || (parts.Length == 3 && parts[2] is not ("r" or "w")))
        {
            throw new ArgumentException($"--slverr wants LO:HI[:r|w], got '{text}'");
        }

        var direction = parts.Length == 2 ? SlaveErrorDirection.Both : parts[2] == "r" ? SlaveErrorDirection.Reads : SlaveErrorDirection.Writes;
        return (Num(parts[0]), Num(parts[1]), direction);
    }

    internal static string Fmt(double v, string format = "0.##") => v.ToString(format, CultureInfo.InvariantCulture);
}
