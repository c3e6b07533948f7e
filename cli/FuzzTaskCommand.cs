using System.CommandLine;
using System.Globalization;
using HwGen.Verif;

namespace HwGen.Cli;

/// <summary>
/// The hidden <c>fuzz-task</c> command: one array task of <c>hwgen fuzz --slurm</c> (<see cref="FuzzArray"/>). It
/// replays the campaign's draws up to its configuration, builds it, runs its cases and writes the outcome as JSON for
/// the submitting process. Exit 0 once the result is written, whatever the verdicts; non-zero means no result.
/// </summary>
internal static class FuzzTaskCommand
{
    public static Command Create()
    {
        var seed = new Option<ulong>("--seed") { Description = "The campaign's seed.", Required = true };
        var index = new Option<int>("--index") { Description = "The configuration this task runs (0-based).", Required = true };
        var perConfig = new Option<int>("--cases-per-config") { Description = "The campaign's cases per configuration.", DefaultValueFactory = _ => 100 };
        var maxCases = new Option<int>("--cases") { Description = "The campaign's case limit (0 = none).", DefaultValueFactory = _ => 0 };
        var configs = new Option<int>("--configs") { Description = "The campaign's configuration limit (0 = none).", DefaultValueFactory = _ => 0 };
        var faultPercent = new Option<int>("--fault-percent") { Description = "Percent of cases that inject a fault.", DefaultValueFactory = _ => new FuzzSettings().FaultPercent };
        var maxDim = new Option<int>("--max-gemm-dim") { Description = "Largest M, N or K of a workload.", DefaultValueFactory = _ => new FuzzSettings().MaxGemmDim };
        var maxCycles = new Option<long>("--max-cycles") { Description = "Cycle budget of one case.", DefaultValueFactory = _ => new FuzzSettings().MaxCycles };
        var shrink = new Option<bool>("--shrink") { Description = "Shrink failing cases.", DefaultValueFactory = _ => true };
        var output = new Option<string>("--output") { Description = "The campaign's output folder.", DefaultValueFactory = _ => "fuzz-out" };
        var result = new Option<string>("--result") { Description = "Where to write the task's result (JSON).", Required = true };
        var cacheRoot = new Option<string?>("--cache-root") { Description = "Harness build cache (default: .hwgen-cache of the repository)." };
        var cmd = new Command(FuzzArray.TaskCommand, "Internal: one array task of 'hwgen fuzz --slurm' (one drawn configuration and its cases).")
        {
            seed, index, perConfig, maxCases, configs, faultPercent, maxDim, maxCycles, shrink, output, result, cacheRoot,
        };
        cmd.Hidden = true;
        cmd.SetAction(async (parse, cancel) =>
        {
            var settings = new FuzzSettings
            {
                Seed = parse.GetValue(seed),
                CasesPerConfig = Math.Max(1, parse.GetValue(perConfig)),
                MaxCases = parse.GetValue(maxCases),
                MaxConfigs = parse.GetValue(configs),
                FaultPercent = parse.GetValue(faultPercent),
                MaxGemmDim = parse.GetValue(maxDim),
                MaxCycles = parse.GetValue(maxCycles),
                Shrink = parse.GetValue(shrink),
                OutputDirectory = parse.GetValue(output)!,
                Jobs = 1,
                Build = new HarnessBuildOptions { CacheRoot = parse.GetValue(cacheRoot), ExtraFlags = HarnessBuildOptions.EnvironmentExtraFlags() },
            };
            var i = parse.GetValue(index);
            if (i < 0 || Fuzzer.Quota(settings, i) == 0)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"error: --index {i}: the campaign (--cases {settings.MaxCases}, --configs {settings.MaxConfigs}, --cases-per-config {settings.CasesPerConfig}) has no such configuration"));
                return ExitCodes.BadInput;
            }

            var path = parse.GetValue(result)!;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"hwgen {FuzzArray.TaskCommand}: seed {settings.Seed}, configuration {i}, {Fuzzer.Quota(settings, i)} case(s), on {Environment.MachineName}"));
            FuzzConfigOutcome outcome;
            try
            {
                outcome = await new Fuzzer(settings, new FuzzCommand.ConsoleProgress()).RunTaskAsync(i, cancel).ConfigureAwait(false);
            }
            catch (ToolchainException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.ToolError;
            }

            FuzzArray.WriteResult(path, outcome);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"result: {path} ({outcome.Results.Count} case(s), {outcome.Failures.Count} failure(s){(outcome.BuildFailed ? ", build failed" : string.Empty)})"));
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
