using System.Globalization;
using System.Text;
using System.Text.Json;
using HwGen.Explore.Cost;
using HwGen.Verif.Jobs;
using HwGen.Verif.Synth;

namespace HwGen.Explore;

/// <summary>
/// Re-checks Pareto-front points with the tools, as job batches (local processes or a Slurm array): co-simulation of
/// the fastest points (<c>hwgen sim … --json</c>; RTL cycles and the bit-exact verdict) and full Xilinx synthesis of the
/// smallest ones (<c>hwgen synth … --target xilinx --json</c>; measured LUTs, FFs, DSPs and BRAMs beside the resource
/// model's). Writes <c>recheck.csv</c>, one line per re-checked point.
/// </summary>
internal sealed class FrontRecheck(ExploreSettings settings, string dir)
{
    /// <summary>Runs the re-check of <paramref name="front"/>.</summary>
    public async Task<IReadOnlyList<RecheckRow>> RunAsync(IReadOnlyList<PointResult> front, CancellationToken ct)
    {
        var simulated = settings.Recheck is null ? [] : front.OrderBy(p => p.Cycles).ThenBy(p => p.Index).Take(settings.MaxRecheck).ToList();
        var synthesized = settings.SynthRecheck is null ? [] : front.OrderBy(p => p.AreaLutEq).ThenBy(p => p.Index).Take(settings.MaxSynth).ToList();
        var points = simulated.Concat(synthesized).DistinctBy(p => p.Id).OrderBy(p => p.Cycles).ThenBy(p => p.Index).ToList();
        if (points.Count == 0)
        {
            return [];
        }

        var configs = Path.Combine(dir, "configs");
        Directory.CreateDirectory(configs);
        foreach (var p in points)
        {
            WriteAtomically(Path.Combine(configs, p.Id + ".yaml"), p.ConfigYaml);
        }

        string Config(PointResult p) => Path.Combine(configs, p.Id + ".yaml");
        var sim = await RunBatchAsync(settings.Recheck, "recheck-", simulated, p =>
            ["sim", Config(p), "--workload", (settings.Space.Model.Count == 0 ? settings.Space.Workload : ModelSpace.Workload(settings.Space.Workload, p.Values)).ToString(), "--json", Path.Combine(configs, p.Id + ".sim.json")], ct).ConfigureAwait(false);
        var synth = await RunBatchAsync(settings.SynthRecheck, "synth-", synthesized, p =>
            ["synth", Config(p), "--target", "xilinx", "--output", Path.Combine(configs, p.Id + "-rtl"), "--json", Path.Combine(configs, p.Id + ".synth.json")], ct).ConfigureAwait(false);
        var rows = new List<RecheckRow>();
        foreach (var p in points)
        {
            long? cycles = null;
            bool? match = null;
            var simJson = Path.Combine(configs, p.Id + ".sim.json");
            if (sim.TryGetValue(p.Id, out _) && File.Exists(simJson))
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(simJson));
                cycles = doc.RootElement.GetProperty("cycles").GetInt64();
                match = doc.RootElement.GetProperty("match").GetBoolean();
            }

            var synthJson = Path.Combine(configs, p.Id + ".synth.json");
            var measured = synth.ContainsKey(p.Id) && File.Exists(synthJson) ? ResourceFit.ReadFull(synthJson) : null;
            var (simExit, simLog) = sim.GetValueOrDefault(p.Id, (null, string.Empty));
            var (synthExit, synthLog) = synth.GetValueOrDefault(p.Id, (null, string.Empty));
            rows.Add(new RecheckRow(p, simExit, cycles, match, simLog)
            {
                Simulated = sim.ContainsKey(p.Id),
                Synthesized = synth.ContainsKey(p.Id),
                SynthExitCode = synthExit,
                SynthLogPath = synthLog,
                Measured = measured,
            });
        }

        WriteAtomically(Path.Combine(dir, "recheck.csv"), Csv(rows));
        return rows;
    }

    /// <summary>The re-check table: co-simulation and synthesis figures beside the models' (empty where not re-checked).</summary>
    internal static string Csv(IReadOnlyList<RecheckRow> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("id,model_cycles,rtl_cycles,error_pct,bit_exact,exit_code,"
            + "model_luts,synth_luts,luts_error_pct,model_ffs,synth_ffs,ffs_error_pct,model_dsps,synth_dsps,dsps_error_pct,"
            + "model_brams,synth_brams,brams_error_pct,synth_exit_code\n");
        foreach (var r in rows)
        {
            csv.Append(inv, $"{r.Point.Id},{r.Point.Cycles},{r.RtlCycles},{r.ErrorPct:0.00},{r.BitExact},{(r.Simulated ? r.ExitCode?.ToString(inv) ?? "lost" : string.Empty)}");
            double[] model = [r.Point.Luts, r.Point.Ffs, r.Point.Dsps, r.Point.Brams];
            var measured = r.Measured?.ToArray();
            for (var i = 0; i < 4; i++)
            {
                csv.Append(inv, $",{model[i]},{measured?[i]},{(measured is null ? string.Empty : ResourceModel.ErrorPct(model[i], measured[i]).ToString("0.0", inv))}");
            }

            csv.Append(inv, $",{(r.Synthesized ? r.SynthExitCode?.ToString(inv) ?? "lost" : string.Empty)}\n");
        }

        return csv.ToString();
    }

    private async Task<Dictionary<string, (int? Exit, string Log)>> RunBatchAsync(IJobRunner? runner, string prefix, List<PointResult> points,
        Func<PointResult, string[]> arguments, CancellationToken ct)
    {
        var result = new Dictionary<string, (int?, string)>(StringComparer.Ordinal);
        if (runner is null || points.Count == 0)
        {
            return result;
        }

        var tasks = points.Select(p => new JobTask(settings.HwgenCommand[0], [.. settings.HwgenCommand.Skip(1), .. arguments(p)], dir)).ToList();
        var batch = JobBatch.Open(Path.Combine(dir, prefix + runner.Name), tasks);
        await runner.RunAsync(batch, batch.Unfinished(), null, ct).ConfigureAwait(false);
        for (var i = 0; i < points.Count; i++)
        {
            result[points[i].Id] = (batch.ExitCode(i), batch.LogPath(i));
        }

        return result;
    }

    private static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>A front point's re-check: the co-simulation's cycles and the synthesis's resources beside the models'.</summary>
public sealed record RecheckRow(PointResult Point, int? ExitCode, long? RtlCycles, bool? BitExact, string LogPath)
{
    /// <summary>(model − RTL) / RTL, percent; null without an RTL figure.</summary>
    public double? ErrorPct => RtlCycles is > 0 and var c ? 100.0 * (Point.Cycles - c) / c : null;

    /// <summary>True when the point was co-simulated.</summary>
    public bool Simulated { get; init; } = true;

    /// <summary>True when the point was synthesized.</summary>
    public bool Synthesized { get; init; }

    /// <summary>Exit code of the synthesis task (null: not finished or not synthesized).</summary>
    public int? SynthExitCode { get; init; }

    /// <summary>The synthesis task's log.</summary>
    public string SynthLogPath { get; init; } = string.Empty;

    /// <summary>LUTs, FFs, DSPs and BRAMs Yosys measured (null: not synthesized or no result).</summary>
    public FpgaCounts? Measured { get; init; }
}
