using System.CommandLine;
using System.Globalization;
using HwGen.Verif;

namespace HwGen.Cli;

/// <summary>The <c>fuzz</c> command: a soak of random configurations, workloads, AXI randomization and injected faults against the golden model.</summary>
internal static class FuzzCommand
{
    public static Command Create()
    {
        var minutes = new Option<double>("--minutes") { Description = "How long to draw new cases.", DefaultValueFactory = _ => 5 };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of every draw (default: from the clock; printed)." };
        var perConfig = new Option<int>("--cases-per-config") { Description = "Cases per drawn configuration (a Verilator build costs as much as a few hundred small cases).", DefaultValueFactory = _ => 100 };
        var maxCases = new Option<int>("--cases") { Description = "Stop after this many cases (0 = until time runs out).", DefaultValueFactory = _ => 0 };
        var configs = new Option<int>("--configs") { Description = "Stop after this many drawn configurations (0 = until time runs out).", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--output") { Description = "Folder for drawn configurations and RTL.", DefaultValueFactory = _ => "fuzz-out" };
        var jobs = new Option<int>("--jobs") { Description = "Configurations run in parallel (default: processor count).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var summaryFile = new Option<string?>("--summary") { Description = "Write the JSON summary here (default: summary.json in the output folder)." };
        var cmd = new Command("fuzz", "Soak test: random configurations and workloads (GEMMs, fused GELU, row operations, short layers) with random AXI latency, backpressure and injected faults; RTL vs golden model vs untiled reference, until time or the case count runs out.")
        {
            minutes, seed, perConfig, maxCases, configs, output, jobs, summaryFile,
        };
        cmd.SetAction(async (parse, cancel) =>
        {
            var s = parse.GetValue(seed) ?? (ulong)DateTime.UtcNow.Ticks % 1_000_000_007UL;
            var settings = new FuzzSettings
            {
                Seed = s,
                Duration = TimeSpan.FromMinutes(parse.GetValue(minutes)),
                CasesPerConfig = Math.Max(1, parse.GetValue(perConfig)),
                MaxCases = parse.GetValue(maxCases),
                MaxConfigs = parse.GetValue(configs),
                OutputDirectory = parse.GetValue(output)!,
                Jobs = Math.Max(1, parse.GetValue(jobs)),
                SummaryPath = parse.GetValue(summaryFile),
                Build = new HarnessBuildOptions { ExtraFlags = HarnessBuildOptions.EnvironmentExtraFlags() },
            };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"hwgen fuzz: seed {s}, {settings.Duration.TotalMinutes:0.#} minutes{(settings.MaxCases > 0 ? $" or {settings.MaxCases} cases" : string.Empty)}, {settings.CasesPerConfig} cases per configuration, {settings.Jobs} job(s), output {settings.OutputDirectory}/"));
            FuzzSummary summary;
            try
            {
                summary = await new Fuzzer(settings, new ConsoleProgress()).RunAsync(cancel).ConfigureAwait(false);
            }
            catch (ToolchainException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.ToolError;
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fuzz summary (seed {s}): {summary.Cases} cases on {summary.Configs} configurations, {summary.Cycles:#,0} cycles; {summary.Mismatches} mismatches ({summary.ReferenceMismatches} golden vs reference), {summary.Hangs} hangs, {summary.BuildFailures} build failures, {summary.Skipped} skipped (workload does not fit); {summary.ExpectedHangs} expected hangs, {summary.GoldenFaults.Values.Sum()} injected faults reported alike; {summary.WallSeconds / 60:0.#} minutes, {summary.CasesPerMinute:0.#} cases/min (builds {summary.BuildSeconds / 60:0.#} job-minutes, cases {summary.CaseSeconds / 60:0.#})"));
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

            return summary.Ok ? ExitCodes.Ok : summary.Hangs > 0 && summary.Mismatches == 0 && summary.BuildFailures == 0 ? ExitCodes.Hang : ExitCodes.Mismatch;
        });
        return cmd;
    }

    private static string Mix(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value}")));

    /// <summary>Prints progress lines synchronously, in order.</summary>
    private sealed class ConsoleProgress : IProgress<string>
    {
        public void Report(string value) => Console.WriteLine(value);
    }
}
