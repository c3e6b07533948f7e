using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using HwGen.Explore;
using HwGen.Explore.Cost;
using HwGen.Generator.Config;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Performance;
using HwGen.Software.Performance.Fast;
using HwGen.Software.Workloads;

namespace HwGen.Cli;

/// <summary>
/// <c>perf-bench</c>: how many whole-workload estimates one core makes per second (the fast estimator, or compiling and
/// replaying the program); <c>estimator-check</c>: the fast estimator against the replay, per operation
/// (docs/explore.md, "The fast estimator").
/// </summary>
internal static class PerfBenchCommand
{
    public static Command Bench()
    {
        var config = new Argument<FileInfo>("config") { Description = "Configuration YAML." };
        var workload = new Option<string>("--workload", "-w") { Description = "Workload (a layer preset or a GEMM).", DefaultValueFactory = _ => "bert-base:seq=128" };
        var seconds = new Option<double>("--seconds") { Description = "Measure for about this long.", DefaultValueFactory = _ => 3 };
        var estimator = EstimatorOption();
        var cmd = new Command("perf-bench", "Measure estimates per second on one core: the fast estimator (cycles and energy from the shapes) or the replay (compile, then PerfModel).")
        {
            config, workload, seconds, estimator,
        };
        cmd.SetAction(parse =>
        {
            if (Load(parse.GetValue(config)!, parse.GetValue(workload)!) is not var (d, spec))
            {
                return ExitCodes.BadInput;
            }

            var replay = parse.GetValue(estimator) == "replay";
            if (!replay && !FastEstimator.Supports(spec))
            {
                Console.Error.WriteLine($"error: --workload {spec}: the fast estimator covers layer presets and GEMMs; use --estimator replay");
                return ExitCodes.BadInput;
            }

            var budget = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(seconds)));
            long cycles;
            try
            {
                cycles = Once(d, spec, replay); // also warms up the JIT
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"error: {spec} does not fit {d.Name}: {ex.Message}");
                return ExitCodes.BadInput;
            }

            // Wall-clock rate, and the rate per CPU-second of this process (the same on an idle machine; on a shared one
            // the wall-clock rate falls with the share of the core the process gets, the CPU rate does not).
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var n = 0;
            while (clock.Elapsed < budget)
            {
                Once(d, spec, replay);
                n++;
            }

            var rate = n / clock.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(replay ? "replay" : "fast")} estimator, {spec} on {d.Name}: {cycles:#,0} cycles; {n:#,0} evaluations in {clock.Elapsed.TotalSeconds:0.00} s on one core = {rate:#,0.#} evaluations/s ({1000 / rate:0.###} ms each); {cpu:0.00} s of CPU = {n / Math.Max(cpu, 1e-9):#,0.#} evaluations per CPU-second"));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    public static Command Check()
    {
        var configs = new Argument<FileInfo[]>("configs") { Description = "Configuration YAML files.", Arity = ArgumentArity.OneOrMore };
        var workloads = new Option<string>("--workloads", "-w") { Description = "Workloads separated by ';'.", DefaultValueFactory = _ => "bert-tiny;bert-base;bert-base:seq=512;gpt2-small;vit-b16;gemm:M=256,N=256,K=256" };
        var cmd = new Command("estimator-check", "Compare the fast estimator with the replay of the compiled program, per operation (sums over heads and layers) and per workload.")
        {
            configs, workloads,
        };
        cmd.SetAction(parse =>
        {
            var specs = new List<WorkloadSpec>();
            foreach (var text in parse.GetValue(workloads)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Load(null, text) is not var (_, spec))
                {
                    return ExitCodes.BadInput;
                }

                if (!FastEstimator.Supports(spec))
                {
                    Console.Error.WriteLine($"error: --workloads: '{spec}': the fast estimator covers layer presets (without softmax_late, columns or generation) and int8 GEMMs, so there is nothing to compare; check it with 'hwgen perf-bench --estimator replay' or 'hwgen sim'");
                    return ExitCodes.BadInput;
                }

                specs.Add(spec);
            }

            var rows = new List<FastCheckRow>();
            foreach (var file in parse.GetValue(configs)!)
            {
                if (Load(file, specs[0].ToString()) is not var (d, _))
                {
                    return ExitCodes.BadInput;
                }

                foreach (var spec in specs)
                {
                    var these = FastValidation.Compare(d, spec);
                    if (these.Count == 0)
                    {
                        Console.WriteLine($"{d.Name,-10} {spec}: does not fit (compiler and estimator agree)");
                        continue;
                    }

                    foreach (var r in these)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Config,-10} {r.Workload,-28} {r.Op,-14} replay {r.Replay,12:#,0}  fast {r.Fast,12:#,0}  {r.Error,7:+0.0 %;-0.0 %;0.0 %}"));
                    }

                    rows.AddRange(these);
                }
            }

            var ops = rows.Where(r => r.Op != "total").ToList();
            var totals = rows.Where(r => r.Op == "total").ToList();
            if (totals.Count > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"per operation ({ops.Count}): max |error| {ops.Max(r => Math.Abs(r.Error)):0.0 %}, mean {ops.Average(r => Math.Abs(r.Error)):0.0 %}; whole workloads ({totals.Count}): max {totals.Max(r => Math.Abs(r.Error)):0.0 %}, mean {totals.Average(r => Math.Abs(r.Error)):0.0 %}"));
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>The <c>--estimator</c> option (fast or replay).</summary>
    public static Option<string> EstimatorOption()
    {
        var option = new Option<string>("--estimator") { Description = "fast: cycles and work from the shapes, without building programs; replay: compile each program and replay it in the performance model.", DefaultValueFactory = _ => "fast" };
        option.AcceptOnlyFromAmong("fast", "replay");
        return option;
    }

    private static long Once(DesignModel d, WorkloadSpec spec, bool replay)
    {
        if (!replay)
        {
            var fast = FastEstimator.Estimate(d, spec);
            _ = EnergyModel.Price(d, fast.Counts);
            return fast.TotalCycles;
        }

        var program = WorkloadCompiler.Compile(d, spec);
        _ = EnergyModel.Estimate(d, program.Instructions);
        return PerfModel.Estimate(d, program).TotalCycles;
    }

    private static (DesignModel Design, WorkloadSpec Spec)? Load(FileInfo? config, string workload)
    {
        WorkloadSpec spec;
        try
        {
            spec = WorkloadSpec.Parse(workload);
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine($"error: --workload: {ex.Message}");
            return null;
        }

        if (config is null)
        {
            return (null!, spec);
        }

        if (!config.Exists)
        {
            Console.Error.WriteLine($"error: config: {config.FullName} does not exist");
            return null;
        }

        try
        {
            return (DesignResolver.LoadFile(config.FullName), spec);
        }
        catch (ConfigException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return null;
        }
    }
}
