using System.CommandLine;
using System.Globalization;
using HwGen.Verif;
using HwGen.Verif.Jobs;

namespace HwGen.Cli;

/// <summary>The <c>fuzz</c> command: a soak of random configurations, workloads, AXI randomization and injected faults against the golden model.</summary>
internal static class FuzzCommand
{
    public static Command Create()
    {
        var minutes = new Option<double>("--minutes") { Description = "How long to draw new cases (not with --slurm).", DefaultValueFactory = _ => 5 };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of every draw (default: from the clock; printed)." };
        var perConfig = new Option<int>("--cases-per-config") { Description = "Cases per drawn configuration (a Verilator build costs as much as a few hundred small cases).", DefaultValueFactory = _ => 100 };
        var maxCases = new Option<int>("--cases") { Description = "Stop after this many cases (0 = until time runs out).", DefaultValueFactory = _ => 0 };
        var configs = new Option<int>("--configs") { Description = "Stop after this many drawn configurations (0 = until time runs out).", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--output") { Description = "Folder for drawn configurations and RTL.", DefaultValueFactory = _ => "fuzz-out" };
        var jobs = new Option<int>("--jobs") { Description = "Configurations run in parallel (default: processor count; with --slurm: array tasks running at once, default: the scheduler's choice).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var summaryFile = new Option<string?>("--summary") { Description = "Write the JSON summary here (default: summary.json in the output folder)." };
        var slurm = SlurmCli.SlurmOption("the campaign, one array task per configuration, bounded by --cases or --configs (rerun to resume)");
        var partition = SlurmCli.PartitionOption();
        var cmd = new Command("fuzz", "Soak test: random configurations and workloads (GEMMs, fused GELU, row operations, short layers) with random AXI latency, backpressure and injected faults; RTL vs golden model vs untiled reference, until time or the case count runs out.")
        {
            minutes, seed, perConfig, maxCases, configs, output, jobs, summaryFile, slurm, partition,
        };
        cmd.SetAction(async (parse, cancel) =>
        {
            var useSlurm = parse.GetValue(slurm);
            var slurmOptions = new SlurmOptions
            {
                JobName = "hwgen-fuzz",
                Partition = parse.GetValue(partition) ?? string.Empty,
                MaxRunning = Given(parse, jobs) ? parse.GetValue(jobs) : 0,
            };
            if ((BoundsProblem(useSlurm, parse, minutes, maxCases, configs) ?? await SlurmCli.ProblemAsync(useSlurm, slurmOptions, cancel).ConfigureAwait(false)) is { } problem)
            {
                Console.Error.WriteLine(problem);
                return ExitCodes.BadInput;
            }

            var s = parse.GetValue(seed) ?? (ulong)DateTime.UtcNow.Ticks % 1_000_000_007UL;
            var settings = new FuzzSettings
            {
                Seed = s,
                Duration = useSlurm ? TimeSpan.MaxValue : TimeSpan.FromMinutes(parse.GetValue(minutes)),
                CasesPerConfig = Math.Max(1, parse.GetValue(perConfig)),
                MaxCases = parse.GetValue(maxCases),
                MaxConfigs = parse.GetValue(configs),
                OutputDirectory = parse.GetValue(output)!,
                Jobs = Math.Max(1, parse.GetValue(jobs)),
                SummaryPath = parse.GetValue(summaryFile),
                Build = new HarnessBuildOptions { ExtraFlags = HarnessBuildOptions.EnvironmentExtraFlags() },
            };
            var bound = settings.MaxCases > 0 ? $" or {settings.MaxCases} cases" : string.Empty;
            Console.WriteLine(useSlurm
                ? string.Create(CultureInfo.InvariantCulture, $"hwgen fuzz --slurm: seed {s}, {FuzzArray.ConfigCount(settings)} configuration(s) (one array task each), {Enumerable.Range(0, FuzzArray.ConfigCount(settings)).Sum(i => Fuzzer.Quota(settings, i))} cases, {settings.CasesPerConfig} per configuration, output {settings.OutputDirectory}/")
                : string.Create(CultureInfo.InvariantCulture, $"hwgen fuzz: seed {s}, {settings.Duration.TotalMinutes:0.#} minutes{bound}, {settings.CasesPerConfig} cases per configuration, {settings.Jobs} job(s), output {settings.OutputDirectory}/"));
            FuzzSummary summary;
            FuzzArray? array = null;
            try
            {
                if (useSlurm)
                {
                    array = new FuzzArray(settings, new SlurmJobRunner(slurmOptions), SlurmCli.SelfCommand(), new ConsoleProgress());
                    summary = await array.RunAsync(cancel).ConfigureAwait(false);
                }
                else
                {
                    summary = await new Fuzzer(settings, new ConsoleProgress()).RunAsync(cancel).ConfigureAwait(false);
                }
            }
            catch (ToolchainException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.ToolError;
            }
            catch (Exception ex) when (SlurmCli.Failure(ex, settings.OutputDirectory, "an earlier campaign with other --seed, --cases, --configs or --cases-per-config") is { } failure)
            {
                Console.Error.WriteLine(failure.Line);
                return failure.Exit;
            }

            Print(summary, s);
            if (array?.Batch is { } batch && summary.UnfinishedTasks.Count > 0)
            {
                PrintUnfinished(batch, summary, s);
            }

            return summary.Mismatches > 0 || summary.BuildFailures > 0 ? ExitCodes.Mismatch
                : summary.Hangs > 0 ? ExitCodes.Hang
                : summary.UnfinishedTasks.Count > 0 ? ExitCodes.ToolError
                : ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>With <c>--slurm</c>, the tasks are fixed at submission: a bound by cases or configurations is needed and time is none.</summary>
    private static string? BoundsProblem(bool useSlurm, ParseResult parse, Option<double> minutes, Option<int> maxCases, Option<int> configs)
    {
        if (!useSlurm)
        {
            return null;
        }

        if (Given(parse, minutes))
        {
            return "error: --minutes: a --slurm campaign is bounded by --cases or --configs, not by time (its array tasks are fixed when it is submitted)";
        }

        return parse.GetValue(maxCases) == 0 && parse.GetValue(configs) == 0
            ? "error: --slurm: give --cases or --configs (a job array's tasks are fixed when it is submitted; one task per configuration)"
            : null;
    }

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    private static void Print(FuzzSummary summary, ulong s)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fuzz summary (seed {s}{(summary.ArrayTasks > 0 ? $", {summary.ArrayTasks} {summary.Runner} array tasks" : string.Empty)}): {summary.Cases} cases on {summary.Configs} configurations, {summary.Cycles:#,0} cycles; {summary.Mismatches} mismatches ({summary.ReferenceMismatches} golden vs reference), {summary.Hangs} hangs, {summary.BuildFailures} build failures, {summary.Skipped} skipped (workload does not fit); {summary.ExpectedHangs} expected hangs, {summary.GoldenFaults.Values.Sum()} injected faults reported alike; {summary.WallSeconds / 60:0.#} minutes, {summary.CasesPerMinute:0.#} cases/min (builds {summary.BuildSeconds / 60:0.#} job-minutes, cases {summary.CaseSeconds / 60:0.#})"));
        Console.WriteLine($"  workloads: {Mix(summary.CasesByWorkload)}");
        Console.WriteLine($"  faults:    {Mix(summary.CasesByFault)}");
        Console.WriteLine($"  reported:  {Mix(summary.GoldenFaults)}");
        Console.WriteLine($"summary: {summary.SummaryPath}");
        foreach (var f in summary.Failures)
        {
            Console.WriteLine($"FAILED ({f.Shrunk.Verdict.ToString().ToLowerInvariant()}, {f.Shrunk.Disagreement}): {f.Shrunk.Summary}");
            Console.WriteLine($"  reproduce: {f.Shrunk.ReproCommand}");
            if (f.Shrunk != f.Original)
            {
                Console.WriteLine($"  (shrunk from: {f.Original.ReproCommand})");
            }
        }
    }

    /// <summary>Names every array task without a result, with its exit code and log, and how to run only those again.</summary>
    private static void PrintUnfinished(JobBatch batch, FuzzSummary summary, ulong s)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.UnfinishedTasks.Count} of {summary.ArrayTasks} array task(s) gave no result; their configurations are missing from the counts above:"));
        foreach (var i in summary.UnfinishedTasks)
        {
            var code = batch.ExitCode(i);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  task {i} (configuration fuzz-{s}-{i}): {(code is null ? "lost (no exit recorded: cancelled, killed or never scheduled)" : $"exit {code}")}; log {batch.LogPath(i)}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Run the same command again (with --seed {s}) to resubmit only task(s) {SlurmJobRunner.ArrayRanges(summary.UnfinishedTasks)}; finished tasks are kept."));
    }

    private static string Mix(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value}")));

    /// <summary>Prints progress lines synchronously, in order.</summary>
    internal sealed class ConsoleProgress : IProgress<string>
    {
        public void Report(string value) => Console.WriteLine(value);
    }
}
