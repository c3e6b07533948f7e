using System.Globalization;
using System.Text;
using System.Text.Json;
using HwGen.Verif.Jobs;

namespace HwGen.Explore;

/// <summary>
/// A sweep: evaluates every point of a space with the models (in parallel, each result appended to
/// <c>results.jsonl</c> as it arrives, so a stopped sweep resumes where it stopped), marks the Pareto front, writes
/// <c>points.csv</c>, <c>points.json</c>, <c>front.csv</c>, <c>pareto.png</c> and <c>sensitivity.png</c>, and optionally
/// re-checks the front in co-simulation and synthesis through job runners (local processes or Slurm), writing
/// <c>recheck.csv</c> (<see cref="FrontRecheck"/>).
/// </summary>
public sealed class ExploreRun(ExploreSettings settings)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static readonly JsonSerializerOptions Indented = new(Json) { WriteIndented = true };

    /// <summary>Runs the sweep. <paramref name="progress"/> gets (points done, points in all).</summary>
    public async Task<ExploreSummary> RunAsync(IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var dir = Path.GetFullPath(settings.OutputDirectory);
        Directory.CreateDirectory(dir);
        var evaluator = new PointEvaluator(settings.Space, settings.Estimator);
        var total = (int)settings.Space.PointCount;
        var ids = Enumerable.Range(0, total).Select(i => evaluator.Id(evaluator.Values(i))).ToArray();
        var resultsPath = Path.Combine(dir, "results.jsonl");
        // Results from before the resource model (no area) are evaluated again; the rest are kept.
        var known = ReadResults(resultsPath).Where(r => r.Index < total && ids[r.Index] == r.Id && (r.Status != "ok" || r.AreaLutEq > 0))
            .GroupBy(r => r.Index).ToDictionary(g => g.Key, g => g.Last());
        var resumed = known.Count;
        var done = known.Count;
        progress?.Report((done, total));
        var gate = new Lock();
        await using (var log = new StreamWriter(resultsPath, append: true, new UTF8Encoding(false)))
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, total).Where(i => !known.ContainsKey(i)),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.Jobs), CancellationToken = cancellationToken },
                (i, _) =>
                {
                    var r = evaluator.Evaluate(i);
                    lock (gate)
                    {
                        known[i] = r;
                        log.WriteLine(JsonSerializer.Serialize(r, Json));
                        log.Flush();
                        progress?.Report((++done, total));
                    }

                    return ValueTask.CompletedTask;
                }).ConfigureAwait(false);
        }

        var all = Enumerable.Range(0, total).Select(i => known[i]).ToList();
        var ok = all.Where(r => r.Status == "ok").ToList();
        var front = ParetoFront.Of(ok.Select(ParetoFront.Objectives).ToList()).Select(k => ok[k].Index).ToHashSet();
        all = [.. all.Select(r => front.Contains(r.Index) ? r with { OnFront = true } : r)];
        WriteAtomically(Path.Combine(dir, "points.csv"), Csv(all));
        WriteAtomically(Path.Combine(dir, "front.csv"), Csv(all.Where(r => r.OnFront).OrderBy(r => r.Cycles).ToList()));
        WriteAtomically(Path.Combine(dir, "points.json"), JsonSerializer.Serialize(all, Indented));
        var title = $"{settings.Space.Workload}: {ok.Count} of {total} points";
        WriteAtomically(Path.Combine(dir, "pareto.png"), ExplorePlots.Pareto(title, all));
        WriteAtomically(Path.Combine(dir, "sensitivity.png"), ExplorePlots.Sensitivity(title, settings.Space, all));

        var recheck = await new FrontRecheck(settings, dir).RunAsync([.. all.Where(r => r.OnFront)], cancellationToken).ConfigureAwait(false);

        return new ExploreSummary(total, resumed, ok.Count, all.Count(r => r.Status == "invalid"), all.Count(r => r.Status == "does_not_fit"),
            [.. all.Where(r => r.OnFront).OrderBy(r => r.Cycles)], recheck, dir);
    }

    private static List<PointResult> ReadResults(string path)
    {
        var list = new List<PointResult>();
        if (!File.Exists(path))
        {
            return list;
        }

        foreach (var line in File.ReadLines(path))
        {
            try
            {
                if (JsonSerializer.Deserialize<PointResult>(line, Json) is { } r)
                {
                    list.Add(r);
                }
            }
            catch (JsonException)
            {
                // A line cut short when the sweep was stopped: that point is evaluated again.
            }
        }

        return list;
    }

    private string Csv(IReadOnlyList<PointResult> points)
    {
        var keys = settings.Space.Axes.Select(s => s.Key).ToList();
        var sb = new StringBuilder("index,id,").Append(string.Join(',', keys))
            .Append(",status,cycles,utilization,energy_uj,mac_uj,scratchpad_uj,accumulator_uj,dram_uj,units_uj,edp_uj_mcycles,pes,on_chip_kib,luts,ffs,dsps,brams,area_lut_eq,on_front,estimator,accuracy,reason\n");
        foreach (var p in points)
        {
            var split = p.EnergySplitUj.Length == 5 ? p.EnergySplitUj : new double[5];
            sb.Append(CultureInfo.InvariantCulture, $"{p.Index},{p.Id},").Append(string.Join(',', keys.Select(k => p.Values[k])))
                .Append(CultureInfo.InvariantCulture, $",{p.Status},{p.Cycles},{p.Utilization:0.0000},{p.EnergyUj:0.###},")
                .Append(string.Join(',', split.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture))))
                .Append(CultureInfo.InvariantCulture, $",{p.Edp:0.###},{p.Pes},{p.OnChipKib},{p.Luts},{p.Ffs},{p.Dsps},{p.Brams},{p.AreaLutEq},{(p.OnFront ? 1 : 0)},{p.Estimator},{p.Accuracy?.ToString(CultureInfo.InvariantCulture)},\"{p.Reason.Replace("\"", "'", StringComparison.Ordinal)}\"\n");
        }

        return sb.ToString();
    }

    private static void WriteAtomically(string path, string text) => WriteAtomically(path, new UTF8Encoding(false).GetBytes(text));

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>What a sweep found.</summary>
public sealed record ExploreSummary(int Points, int Resumed, int Ok, int Invalid, int DoesNotFit, IReadOnlyList<PointResult> Front,
    IReadOnlyList<RecheckRow> Recheck, string OutputDirectory);
