using System.CommandLine;
using System.Globalization;
using HwGen.Explore;
using HwGen.Verif.Jobs;
using Spectre.Console;

namespace HwGen.Cli;

/// <summary>
/// The <c>explore</c> command: evaluates every point of a design space with the performance and energy models, marks
/// the Pareto front, writes CSV, JSON and plots, and re-checks the front in co-simulation locally or on Slurm.
/// </summary>
internal static class ExploreCommand
{
    public static Command Create()
    {
        var space = new Argument<FileInfo>("space") { Description = "Design-space YAML (base, workload, sweep; docs/explore.md)." };
        var output = new Option<string>("--output", "-o") { Description = "Output folder; an earlier run of the same space there is resumed.", DefaultValueFactory = _ => "explore-out" };
        var jobs = new Option<int>("--jobs") { Description = "Points evaluated in parallel, and local re-check co-simulations at once.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var recheck = new Option<bool>("--recheck") { Description = "Re-check the Pareto front in co-simulation (bit-exact, measured cycles beside the model's)." };
        var maxRecheck = new Option<int>("--max-recheck") { Description = "Re-check at most this many front points (the fastest first).", DefaultValueFactory = _ => 32 };
        var maxSynth = new Option<int>("--max-synth") { Description = "With --recheck: fully synthesize (Yosys, Xilinx) at most this many front points, the smallest by area first, one at a time locally; 0: none.", DefaultValueFactory = _ => 1 };
        var slurm = SlurmCli.SlurmOption("the re-check");
        var partition = SlurmCli.PartitionOption();
        var estimator = PerfBenchCommand.EstimatorOption();
        var cmd = new Command("explore", "Sweep a design space with the models: Pareto front over cycles, energy and FPGA area (the resource model's LUT-equivalents); CSV, JSON and plots; optional re-check in co-simulation and synthesis, locally or on Slurm.")
        {
            space, output, jobs, recheck, maxRecheck, maxSynth, slurm, partition, estimator,
        };
        cmd.SetAction(async (parse, cancel) =>
        {
            if (OptionProblem(parse, recheck, maxRecheck, maxSynth, jobs) is { } problem)
            {
                Console.Error.WriteLine($"error: {problem}");
                return ExitCodes.BadInput;
            }

            SpaceFile file;
            try
            {
                file = SpaceFile.Load(parse.GetValue(space)!.FullName);
            }
            catch (SpaceFileException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.BadInput;
            }

            var useSlurm = parse.GetValue(slurm);
            var slurmOptions = new SlurmOptions { JobName = "hwgen-explore", Partition = parse.GetValue(partition) ?? string.Empty };
            if (await SlurmCli.ProblemAsync(useSlurm, slurmOptions, cancel).ConfigureAwait(false) is { } slurmProblem)
            {
                Console.Error.WriteLine(slurmProblem);
                return ExitCodes.BadInput;
            }

            var jobCount = parse.GetValue(jobs);
            IJobRunner? runner = !parse.GetValue(recheck) ? null
                : useSlurm ? new SlurmJobRunner(slurmOptions)
                : new LocalJobRunner(jobCount);
            var synthCount = parse.GetValue(recheck) ? parse.GetValue(maxSynth) : 0;
            if (synthCount > 0 && !useSlurm && HwGen.Verif.Toolchain.FindOnPath("yosys") is null)
            {
                Console.Error.WriteLine("error: --max-synth: yosys is not installed or not on PATH (apt-get install -y yosys), or pass --max-synth 0");
                return ExitCodes.BadInput;
            }

            IJobRunner? synthRunner = synthCount == 0 ? null
                : useSlurm ? new SlurmJobRunner(slurmOptions with { JobName = "hwgen-explore-synth" })
                : new LocalJobRunner(1); // one Yosys at a time: a full synthesis takes most of a machine's memory and minutes
            var settings = new ExploreSettings
            {
                Space = file,
                OutputDirectory = parse.GetValue(output)!,
                Jobs = jobCount,
                Estimator = parse.GetValue(estimator) == "replay" ? EstimatorKind.Replay : EstimatorKind.Fast,
                Recheck = runner,
                HwgenCommand = SlurmCli.SelfCommand(),
                MaxRecheck = parse.GetValue(maxRecheck),
                SynthRecheck = synthRunner,
                MaxSynth = synthCount,
            };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"hwgen explore: {file.PointCount:#,0} points ({string.Join(" × ", file.Axes.Select(s => $"{s.Key} {s.Values.Count}"))}), workload {file.Workload}, {(settings.Estimator == EstimatorKind.Fast ? "fast" : "replay")} estimator, {jobCount} job(s), output {settings.OutputDirectory}/"));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            ExploreSummary summary;
            try
            {
                summary = await AnsiConsole.Progress().AutoClear(true).StartAsync(async ctx =>
                {
                    var bar = ctx.AddTask("evaluating points", maxValue: file.PointCount);
                    return await new ExploreRun(settings).RunAsync(new Progress<(int Done, int Total)>(p => bar.Value = p.Done), cancel).ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            catch (Exception ex) when (SlurmCli.Failure(ex, settings.OutputDirectory, "an earlier re-check of another front") is { } failure)
            {
                Console.Error.WriteLine(failure.Line);
                return failure.Exit;
            }

            Print(summary, clock.Elapsed);
            return summary.Recheck.All(r => (!r.Simulated || (r.ExitCode == 0 && r.BitExact == true)) && (!r.Synthesized || r.SynthExitCode == 0))
                ? ExitCodes.Ok : ExitCodes.Mismatch;
        });
        return cmd;
    }

    private static void Print(ExploreSummary s, TimeSpan elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv,
            $"{s.Points:#,0} points in {elapsed.TotalSeconds:0.0} s ({(s.Points - s.Resumed) / Math.Max(elapsed.TotalMinutes, 1e-9):#,0} evaluated per minute; {s.Resumed:#,0} resumed from an earlier run): {s.Ok:#,0} ok, {s.Invalid:#,0} invalid configurations, {s.DoesNotFit:#,0} where the workload does not fit"));
        var keys = s.Front.Count > 0 ? s.Front[0].Values.Keys.ToList() : [];
        var table = new Table().AddColumns([.. keys, "cycles", "util.", "µJ", "PEs", "KiB", "LUTs", "DSPs", "BRAM", "LUT-eq"]);
        foreach (var p in s.Front.Take(15))
        {
            table.AddRow([.. keys.Select(k => p.Values[k]), p.Cycles.ToString("#,0", inv),
                p.Utilization.ToString("0.0 %", inv), p.EnergyUj.ToString("0.0", inv), p.Pes.ToString(inv), p.OnChipKib.ToString(inv),
                p.Luts.ToString("#,0", inv), p.Dsps.ToString("#,0", inv), p.Brams.ToString("0.#", inv), p.AreaLutEq.ToString("#,0", inv)]);
        }

        table.Title = new TableTitle($"Pareto front: {s.Front.Count} points{(s.Front.Count > 15 ? " (first 15 by cycles)" : string.Empty)}");
        AnsiConsole.Write(table);
        foreach (var r in s.Recheck.Where(r => r.Simulated))
        {
            var verdict = r.ExitCode switch
            {
                0 when r.BitExact == true => "bit-exact",
                null => "no result (task lost)",
                var c => $"FAILED (exit {c}; log {r.LogPath})",
            };
            Console.WriteLine(string.Create(inv,
                $"re-check {r.Point.Id}: model {r.Point.Cycles:#,0} cycles, RTL {r.RtlCycles?.ToString("#,0", inv) ?? "-"} ({r.ErrorPct?.ToString("+0.00;-0.00", inv) ?? "-"} %), {verdict}"));
        }

        foreach (var r in s.Recheck.Where(r => r.Synthesized))
        {
            var figures = r.Measured is { } m
                ? string.Create(inv, $"LUTs {r.Point.Luts:#,0} model / {m.Luts:#,0} Yosys, FFs {r.Point.Ffs:#,0} / {m.FlipFlops:#,0}, DSPs {r.Point.Dsps:#,0} / {m.Dsps:#,0}, BRAM {r.Point.Brams:0.#} / {m.Brams:0.#}")
                : $"no result (exit {r.SynthExitCode?.ToString(inv) ?? "-"}; log {r.SynthLogPath})";
            Console.WriteLine($"synth {r.Point.Id}: {figures}");
        }

        Console.WriteLine($"results: {Path.Combine(s.OutputDirectory, "points.csv")}, front.csv, points.json, pareto.png, sensitivity.png{(s.Recheck.Count > 0 ? ", recheck.csv" : string.Empty)}");
    }

    private static string? OptionProblem(ParseResult parse, Option<bool> recheck, Option<int> maxRecheck, Option<int> maxSynth, Option<int> jobs)
    {
        if (parse.GetValue(jobs) < 1)
        {
            return $"--jobs: must be at least 1, got {parse.GetValue(jobs)}";
        }

        if (parse.GetValue(maxRecheck) < 0)
        {
            return $"--max-recheck: must be 0 or more, got {parse.GetValue(maxRecheck)}";
        }

        if (parse.GetValue(maxSynth) < 0)
        {
            return $"--max-synth: must be 0 or more, got {parse.GetValue(maxSynth)}";
        }

        return parse.GetResult(maxSynth) is { Implicit: false } && !parse.GetValue(recheck)
            ? "--max-synth: synthesis is part of the re-check; add --recheck"
            : null;
    }
}
