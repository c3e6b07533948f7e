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
        var slurm = SlurmCli.SlurmOption("the re-check");
        var partition = SlurmCli.PartitionOption();
        var cmd = new Command("explore", "Sweep a design space with the models: Pareto front over cycles, energy, PEs and on-chip memory; CSV, JSON and plots; optional co-simulation re-check, locally or on Slurm.")
        {
            space, output, jobs, recheck, maxRecheck, slurm, partition,
        };
        cmd.SetAction(async (parse, cancel) =>
        {
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
            var settings = new ExploreSettings
            {
                Space = file,
                OutputDirectory = parse.GetValue(output)!,
                Jobs = jobCount,
                Recheck = runner,
                HwgenCommand = SlurmCli.SelfCommand(),
                MaxRecheck = parse.GetValue(maxRecheck),
            };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"hwgen explore: {file.PointCount:#,0} points ({string.Join(" × ", file.Sweep.Select(s => $"{s.Key.Path} {s.Values.Count}"))}), workload {file.Workload}, {jobCount} job(s), output {settings.OutputDirectory}/"));
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
            return summary.Recheck.All(r => r.ExitCode == 0 && r.BitExact == true) ? ExitCodes.Ok : ExitCodes.Mismatch;
        });
        return cmd;
    }

    private static void Print(ExploreSummary s, TimeSpan elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv,
            $"{s.Points:#,0} points in {elapsed.TotalSeconds:0.0} s ({s.Resumed:#,0} resumed from an earlier run): {s.Ok:#,0} ok, {s.Invalid:#,0} invalid configurations, {s.DoesNotFit:#,0} where the workload does not fit"));
        var keys = s.Front.Count > 0 ? s.Front[0].Values.Keys.ToList() : [];
        var table = new Table().AddColumns([.. keys, "cycles", "util.", "µJ", "PEs", "KiB"]);
        foreach (var p in s.Front.Take(15))
        {
            table.AddRow([.. keys.Select(k => p.Values[k]), p.Cycles.ToString("#,0", inv),
                p.Utilization.ToString("0.0 %", inv), p.EnergyUj.ToString("0.0", inv), p.Pes.ToString(inv), p.OnChipKib.ToString(inv)]);
        }

        table.Title = new TableTitle($"Pareto front: {s.Front.Count} points{(s.Front.Count > 15 ? " (first 15 by cycles)" : string.Empty)}");
        AnsiConsole.Write(table);
        foreach (var r in s.Recheck)
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

        Console.WriteLine($"results: {Path.Combine(s.OutputDirectory, "points.csv")}, front.csv, points.json, pareto.png, sensitivity.png{(s.Recheck.Count > 0 ? ", recheck.csv" : string.Empty)}");
    }
}
