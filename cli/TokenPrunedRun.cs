using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Models;
using HwGen.Software.Layers;
using HwGen.Verif;

namespace HwGen.Cli;

/// <summary>
/// <c>run --prune-tokens</c>: a real model with token pruning (<see cref="TokenPrunePass"/>; docs/pruning.md). Each
/// batch runs one program per layer on the golden model (or co-simulated, each program bit-exact against the golden
/// model, the layers checked against the untiled reference of the pruned stack), the unpruned stack compiled the same
/// way beside it; per layer the tokens, MACs, cycles, speedup and host bytes read over all batches, then the embeddings
/// of the kept tokens against ONNX Runtime's unpruned float model.
/// </summary>
internal sealed class TokenPrunedRun(ModelSession session, DesignModel design, string configArgument, Pooling pooling, bool goldenOnly, int batchTokens)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Runs the sentences; the exit code says whether every co-simulated program was bit-exact and equal to the reference.</summary>
    public async Task<int> ExecuteAsync(EncoderModel m, EncoderLowering lowering, TokenPruning plan, (bool On, bool Relative) calibrated, bool frozen, IReadOnlyList<string> sentences,
        IReadOnlyList<int[]> calibration, FileInfo? json, string? pruning, CancellationToken cancel)
    {
        var pass = new TokenPrunePass(design, lowering) { Frozen = frozen };
        var tokens = session.Tokenize(sentences);
        var batches = EncoderLowering.Batches(tokens, batchTokens);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        if (calibrated.On)
        {
            var given = plan;
            plan = pass.Calibrate(calibration, plan, batchTokens, calibrated.Relative);
            Console.WriteLine(FormattableString.Invariant($"token pruning {given}: thresholds found on the {calibration.Count} calibration sentences ({watch.Elapsed.TotalSeconds:F1} s): {Describe(plan)}"));
        }

        Console.WriteLine(FormattableString.Invariant($"token pruning {Describe(plan)}: {tokens.Count} sentence(s) in {batches.Count} batch(es) of at most {batchTokens} tokens, one program per layer; each sentence keeps its [CLS] and is pruned by its own attention; {pooling} pooling over {(frozen ? "every token, a pruned one with its state from the layer after which it left" : "the kept tokens")}"));
        var results = new TokenPrunedBatch[batches.Count];
        watch.Restart();
        if (goldenOnly)
        {
            for (var b = 0; b < batches.Count; b++)
            {
                results[b] = pass.Run(batches[b].Select(i => tokens[i]).ToList(), plan);
            }
        }
        else
        {
            var (ok, value, exit) = await CosimulateAsync(pass, plan, tokens, batches, results, cancel).ConfigureAwait(false);
            if (!ok || value != ExitCodes.Ok)
            {
                return ok ? value : exit;
            }
        }

        var simSeconds = watch.Elapsed.TotalSeconds;
        var hidden = new float[tokens.Count][];
        for (var b = 0; b < batches.Count; b++)
        {
            foreach (var (h, i) in results[b].Hidden.Zip(batches[b]))
            {
                hidden[i] = h;
            }
        }

        // Each sentence's kept token positions (within the sentence) after the last point, for the JSON report.
        var kept = new int[tokens.Count][];
        for (var b = 0; b < batches.Count; b++)
        {
            var first = 0;
            foreach (var i in batches[b])
            {
                kept[i] = results[b].Layers[^1].Tokens.Where(t => t >= first && t < first + tokens[i].Length).Select(t => t - first).ToArray();
                first += tokens[i].Length;
            }
        }

        var next = 0;
        var evaluated = session.Evaluate(sentences, new FloatEncoder(m), _ => hidden[next++], pooling, Console.Error.WriteLine);
        var rows = PrintLayers(results, goldenOnly);
        Console.WriteLine(FormattableString.Invariant($"  {(goldenOnly ? "golden model" : "co-simulation")} {simSeconds:F1} s"));
        double? spearman = null;
        if (evaluated.Count >= 3)
        {
            spearman = Similarity.Spearman(Similarity.PairwiseCosines(evaluated.Select(r => r.Embedding).ToList()), Similarity.PairwiseCosines(evaluated.Select(r => r.ReferenceEmbedding).ToList()));
            Console.WriteLine(FormattableString.Invariant($"  Spearman of pairwise similarities (token-pruned accelerator vs ONNX Runtime unpruned, {evaluated.Count} sentences): {spearman:F4}"));
        }

        var cos = evaluated.Select(r => r.QuantCosine).Order().ToList();
        Console.WriteLine(cos.Count >= 2
            ? FormattableString.Invariant($"  embedding cosine vs ONNX Runtime (unpruned float) over {cos.Count} sentences: mean {cos.Average():F4}, 5th percentile {Similarity.Percentile(cos, 5):F4}, worst {cos[0]:F4}")
            : FormattableString.Invariant($"  embedding cosine vs ONNX Runtime (unpruned float): {cos[0]:F4}"));
        if (json is not null)
        {
            RunCommand.WriteJson(json, new
            {
                model = m.Name,
                pruning,
                prune_tokens = plan.ToString(),
                thresholds_calibrated_on = calibrated.On ? calibration.Count : (int?)null,
                config = design.Name,
                pooling = pooling.ToString(),
                token_pooling = frozen ? "frozen" : "kept",
                integer_path = goldenOnly ? "golden model" : "co-simulation (RTL = golden model)",
                spearman,
                mean_cosine = cos.Average(),
                p5_cosine = Similarity.Percentile(cos, 5),
                layers = rows,
                sentences = evaluated.Select((r, i) => new { text = r.Text, tokens = r.Tokens, kept = kept[i], integer_cosine = r.QuantCosine, float_cosine = r.FloatCosine }),
            });
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// Co-simulates every batch, pruned and unpruned, one program per layer; fills <paramref name="results"/> (unpruned
    /// cycles measured) and returns the exit code of the first disagreement. A layer program the design cannot map is a
    /// <see cref="ModelException"/>.
    /// </summary>
    private async Task<(bool Ok, int Value, int Exit)> CosimulateAsync(TokenPrunePass pass, TokenPruning plan, List<int[]> tokens,
        IReadOnlyList<IReadOnlyList<int>> batches, TokenPrunedBatch[] results, CancellationToken cancel)
    {
        try
        {
            return await StepwiseSession.RunAsync(design, configArgument, async (cosim, progress) =>
            {
                var code = ExitCodes.Ok;
                for (var b = 0; b < batches.Count; b++)
                {
                    var stack = pass.Lower(batches[b].Select(i => tokens[i]).ToList());
                    var p = await TokenPruneCosim.RunAsync(cosim, stack, plan, null, progress, cancel).ConfigureAwait(false);
                    var u = await TokenPruneCosim.RunAsync(cosim, stack, TokenPruning.None, null, progress, cancel).ConfigureAwait(false);
                    var failed = p.Programs.Concat(u.Programs).FirstOrDefault(r => !r.Match);
                    var reference = failed is null ? TokenPruneReference.Check(p.Layers, stack, plan) : null;
                    Console.WriteLine(FormattableString.Invariant($"batch {b + 1} of {batches.Count} ({stack[0].Spec.Seq} tokens): RTL = golden model for all {p.Programs.Count + u.Programs.Count} programs: {(failed is null ? "yes" : "NO: " + string.Join("; ", failed.Problems.Take(3)))}; untiled reference of the pruned stack: {reference ?? (failed is null ? "equal" : "not checked")}; Verilator {p.Programs.Concat(u.Programs).Sum(r => r.SimWallSeconds):F1} s"));
                    code = code != ExitCodes.Ok ? code : failed is not null ? ExitCodes.Of(failed) : reference is null ? ExitCodes.Ok : ExitCodes.Mismatch;
                    if (failed is not null)
                    {
                        return code;
                    }

                    var r = pass.Result(stack, p.Layers);
                    results[b] = r with { Unpruned = r.Unpruned.Zip(u.Layers, (modelled, measured) => modelled with { Cycles = measured.Cycles }).ToList() };
                }

                return code;
            }, cancel).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw new ModelException($"configuration '{design.Name}' cannot run this model with token pruning: {ex.Message}");
        }
    }

    private static string Describe(TokenPruning plan) => string.Join(',', plan.Points.Select(p => p.Threshold is { } t
        ? string.Create(Inv, $"{p.AfterLayer}:{(p.Relative ? "relative" : "threshold")}={t:G6}")
        : p.ToString()));

    private static string N(long v) => v.ToString("N0", Inv);

    /// <summary>Prints the per-layer table summed over the batches and the stack's totals; returns the rows for JSON.</summary>
    private static List<object> PrintLayers(TokenPrunedBatch[] results, bool goldenOnly)
    {
        var kind = goldenOnly ? "performance model" : "measured";
        Console.WriteLine($"  layer  tokens  kept after  MACs  unpruned MACs  cycles ({kind})  unpruned cycles  speedup  host bytes read");
        var rows = new List<object>();
        for (var i = 0; i < results[0].Layers.Count; i++)
        {
            var (p, u) = (results.Select(r => r.Layers[i]).ToList(), results.Select(r => r.Unpruned[i]).ToList());
            var (tok, kept, macs, umacs, cyc, ucyc, host) = (p.Sum(l => l.Tokens.Count), p.Sum(l => l.Kept.Count), p.Sum(l => l.Macs), u.Sum(l => l.Macs), p.Sum(l => l.Cycles), u.Sum(l => l.Cycles), p.Sum(l => l.HostBytesRead));
            Console.WriteLine(FormattableString.Invariant($"  {i + 1,5}  {tok,6}  {kept,10}  {N(macs)}  {N(umacs)}  {N(cyc)}  {N(ucyc)}  {ucyc / (double)cyc:F2}x  {N(host)}"));
            rows.Add(new { layer = i + 1, tokens = tok, kept_after = kept, macs, unpruned_macs = umacs, cycles = cyc, unpruned_cycles = ucyc, host_bytes_read = host });
        }

        var (sm, um) = (results.Sum(r => r.Layers.Sum(l => l.Macs)), results.Sum(r => r.Unpruned.Sum(l => l.Macs)));
        var (sc, uc) = (results.Sum(r => r.Layers.Sum(l => l.Cycles)), results.Sum(r => r.Unpruned.Sum(l => l.Cycles)));
        Console.WriteLine(FormattableString.Invariant($"  stack: {N(sm)} MACs against {N(um)} unpruned ({um / (double)sm:F2}x fewer, {1 - ((double)sm / um):P1}); {N(sc)} cycles ({kind}) against {N(uc)} ({uc / (double)sc:F2}x, {1 - ((double)sc / uc):P1} fewer); host read {N(results.Sum(r => r.Layers.Sum(l => l.HostBytesRead)))} bytes of P from DRAM (the kept rows are gathered by the accelerator's loads)"));
        return rows;
    }
}
