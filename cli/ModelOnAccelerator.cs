using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Models;
using HwGen.Report;
using HwGen.Software.Layers;
using HwGen.Software.References;
using HwGen.Verif;

namespace HwGen.Cli;

/// <summary>
/// <c>run CONFIG --model M --text ...</c>: calibrate and lower the model (<see cref="EncoderLowering"/>), pack the
/// sentences into batches of at most <c>--batch-tokens</c> tokens, compile each batch's whole layer stack into one
/// program, run it on the golden model and (unless <c>--golden-only</c>) co-simulate it on the RTL with the
/// per-operation report, and finally compare every sentence's embedding with ONNX Runtime's.
/// </summary>
internal sealed class ModelOnAccelerator(ModelSession session, DesignModel design, string configArgument, Pooling pooling, bool goldenOnly, int batchTokens)
{
    /// <summary>With co-simulation: write each batch's tensors (as <c>sim --dump</c>) into DIR/batchN.</summary>
    public string? DumpDirectory { get; init; }

    /// <summary>The per-column datapath's options (docs/numerics.md), or null for the per-tensor datapath.</summary>
    public ColumnOptions? Columns { get; init; }

    /// <summary>The model to run instead of the session's (a pruned one, <see cref="PruneMasks"/>); ONNX Runtime still runs the session's file, so cosines are against the unpruned float model.</summary>
    public EncoderModel? Model { get; init; }

    /// <summary>One line describing the pruning, for the JSON report, or null.</summary>
    public string? Pruning { get; init; }

    /// <summary>With co-simulation: draw each batch's per-operation cycles (as <c>sim --plot</c>); several batches get -batchN before .png.</summary>
    public string? PlotPath { get; init; }

    /// <summary>Runs the sentences; the exit code says whether every co-simulation was bit-exact.</summary>
    public async Task<int> ExecuteAsync(IReadOnlyList<string> sentences, IReadOnlyList<string> calibrationSet, FileInfo? json, CancellationToken cancel)
    {
        var m = Model ?? session.Model;
        var calibration = session.Tokenize(calibrationSet);
        var tokens = session.Tokenize(sentences);
        var lowering = new EncoderLowering(m, calibration, Columns);
        var pass = new AcceleratorPass(design, lowering);

        // A pruned model is compared with the unpruned one on the same batches (performance model, no simulation).
        var unpruned = Model is null ? null : new AcceleratorPass(design, new EncoderLowering(session.Model, calibration, Columns));
        long unprunedMacs = 0, unprunedCycles = 0;
        var batches = EncoderLowering.Batches(tokens, batchTokens);
        Console.WriteLine(FormattableString.Invariant($"accelerator: {design.Name} ({design.Rows}x{design.Cols}); {tokens.Count} sentence(s) in {batches.Count} batch(es) of at most {batchTokens} tokens packed back to back, {m.Layers.Length} layers in one program per batch; calibrated on {calibration.Count} sentences; {(Columns is null ? "per-tensor datapath: int8 weights (one scale per tensor), int8 activations and residual stream" : "per-column datapath: int8 weights (per output channel for Wo, FFN1, FFN2), SmoothQuant, int16 residual stream, GELU output with a zero point")}; embeddings on the host"));

        // Compile the first batch before any simulation: a model the design cannot hold is refused up front.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        BatchProgram Compile(int b) => pass.Compile(batches[b].Select(i => tokens[i]).ToList(), chainInputs: !goldenOnly);
        var first = Compile(0);
        var compileSeconds = watch.Elapsed.TotalSeconds;
        var goldenSeconds = 0.0;
        var hidden = new float[tokens.Count][];
        var runs = new BatchRun[tokens.Count];
        var outcome = ExitCodes.Ok;
        for (var b = 0; b < batches.Count; b++)
        {
            watch.Restart();
            var batch = b == 0 ? first : Compile(b);
            compileSeconds += b == 0 ? 0 : watch.Elapsed.TotalSeconds;
            watch.Restart();
            foreach (var (h, i) in pass.RunGolden(batch).Zip(batches[b]))
            {
                hidden[i] = h;
            }

            goldenSeconds += watch.Elapsed.TotalSeconds;

            var modelled = pass.ModelledCycles(batch);
            if (unpruned is not null)
            {
                var baseline = unpruned.Compile(batches[b].Select(i => tokens[i]).ToList());
                unprunedMacs += baseline.Compiled.Program.Macs;
                unprunedCycles += unpruned.ModelledCycles(baseline);
            }

            CosimReport? report = null;
            if (!goldenOnly)
            {
                var layerRun = LayerRun.Create(batch.Layers, batch.Compiled);
                var dump = DumpDirectory is null ? null : Path.Combine(DumpDirectory, "batch" + (b + 1).ToString(CultureInfo.InvariantCulture));
                report = await Cosimulation.RunAsync(design, configArgument, layerRun.Program, new CosimOptions { DumpDirectory = dump }, UntiledReference.ForLayers(batch.Layers), false, cancel).ConfigureAwait(false);
                report = report with { Layer = layerRun.Report(design, report) };
                if (dump is not null)
                {
                    LayerDump.Write(dump, layerRun, report);
                }

                Console.WriteLine(FormattableString.Invariant($"batch {b + 1} of {batches.Count}: sentences {string.Join(", ", batches[b].Select(i => i + 1))} ({batch.Tokens} tokens):"));
                ReportPrinter.Print(design, layerRun.Program, report, null, dump);
                if (PlotPath is not null)
                {
                    var path = batches.Count == 1 ? PlotPath : Path.ChangeExtension(PlotPath, null) + "-batch" + (b + 1).ToString(CultureInfo.InvariantCulture) + ".png";
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                    OperationPlot.Save(path, OperationPlot.Title(report), OperationPlot.Bars(report));
                    Console.WriteLine($"plot: {path}");
                }

                outcome = outcome == ExitCodes.Ok ? ExitCodes.Of(report) : outcome;
            }

            var run = new BatchRun(b + 1, batch.Tokens, batch.Compiled.Program.Length, batch.Compiled.Program.Macs, modelled, report);
            foreach (var i in batches[b])
            {
                runs[i] = run;
            }
        }

        var next = 0;
        var results = session.Evaluate(sentences, new FloatEncoder(m), _ => hidden[next++], pooling, Console.Error.WriteLine);
        foreach (var (r, i) in results.Select((r, i) => (r, i)))
        {
            var run = runs[i];
            var rtl = run.Report is { } rep
                ? FormattableString.Invariant($"batch {run.Batch}: {(rep.Match ? "bit-exact" : "MISMATCH")}")
                : FormattableString.Invariant($"batch {run.Batch}: golden only");
            Console.WriteLine(FormattableString.Invariant($"  [{i + 1}] {r.Tokens,3} tokens  {rtl}  cosine vs ONNX Runtime: accelerator {r.QuantCosine:F4}, C# float {r.FloatCosine:F6}  \"{RunCommand.Short(r.Text)}\""));
        }

        double? spearman = null;
        foreach (var run in runs.DistinctBy(r => r.Batch))
        {
            Console.WriteLine(run.Report is { } rep
                ? FormattableString.Invariant($"  batch {run.Batch}: {run.Tokens} tokens, {(rep.Match ? "bit-exact" : "MISMATCH")}, {rep.Cycles:N0} cycles ({rep.Cycles / (double)run.Tokens:N0} a token), utilization {rep.Utilization:P1}; performance model {run.ModelledCycles:N0}; simulator {rep.SimWallSeconds:F1} s")
                : FormattableString.Invariant($"  batch {run.Batch}: {run.Tokens} tokens, golden only; {run.Macs:N0} MACs; performance model {run.ModelledCycles:N0} cycles ({run.ModelledCycles / (double)run.Tokens:N0} a token)"));
        }

        var all = runs.DistinctBy(r => r.Batch).ToList();
        var measured = all.All(r => r.Report is not null) ? FormattableString.Invariant($", measured {all.Sum(r => r.Report!.Cycles):N0} cycles") : string.Empty;
        Console.WriteLine(FormattableString.Invariant($"  all batches: {all.Sum(r => r.Tokens)} tokens, {all.Sum(r => r.Macs):N0} MACs, performance model {all.Sum(r => r.ModelledCycles):N0} cycles{measured}"));
        if (unpruned is not null)
        {
            var (macs, cycles) = (all.Sum(r => r.Macs), all.Sum(r => r.ModelledCycles));
            Console.WriteLine(FormattableString.Invariant($"  unpruned model on the same batches: {unprunedMacs:N0} MACs, performance model {unprunedCycles:N0} cycles; pruned: {1 - ((double)macs / unprunedMacs):P1} fewer MACs, {1 - ((double)cycles / unprunedCycles):P1} fewer cycles (speedup {(double)unprunedCycles / cycles:F2}x)"));
        }

        Console.WriteLine(FormattableString.Invariant($"  lowering and compiling {compileSeconds:F1} s, golden model {goldenSeconds:F1} s"));
        if (results.Count >= 3)
        {
            spearman = Similarity.Spearman(Similarity.PairwiseCosines(results.Select(r => r.Embedding).ToList()), Similarity.PairwiseCosines(results.Select(r => r.ReferenceEmbedding).ToList()));
            Console.WriteLine(FormattableString.Invariant($"  Spearman of pairwise similarities (accelerator vs ONNX Runtime, {results.Count} sentences): {spearman:F4}"));
        }

        if (results.Count >= 2)
        {
            var cos = results.Select(r => r.QuantCosine).Order().ToList();
            Console.WriteLine(FormattableString.Invariant($"  embedding cosine vs ONNX Runtime over {cos.Count} sentences: mean {cos.Average():F4}, 5th percentile {Similarity.Percentile(cos, 5):F4}, worst {cos[0]:F4}; C# float pass mean {results.Average(r => r.FloatCosine):F4}"));
        }

        if (json is not null)
        {
            RunCommand.WriteJson(json, new
            {
                model = m.Name,
                summary = m.Summary(),
                pruning = Pruning,
                unpruned_macs = unpruned is null ? (long?)null : unprunedMacs,
                unpruned_modelled_cycles = unpruned is null ? (long?)null : unprunedCycles,
                config = design.Name,
                pooling = pooling.ToString(),
                integer_path = goldenOnly ? "golden model" : "co-simulation (RTL = golden model)",
                calibration_sentences = calibration.Count,
                spearman,
                sentences = results.Select((r, i) => new
                {
                    text = r.Text,
                    tokens = r.Tokens,
                    truncated = r.Truncated,
                    float_cosine = r.FloatCosine,
                    float_max_abs_error = r.FloatMaxAbsError,
                    integer_cosine = r.QuantCosine,
                    batch = runs[i].Batch,
                    batch_tokens = runs[i].Tokens,
                    instructions = runs[i].Instructions,
                    macs = runs[i].Macs,
                    modelled_cycles = runs[i].ModelledCycles,
                    bit_exact = runs[i].Report?.Match,
                    cycles = runs[i].Report?.Cycles,
                    utilization = runs[i].Report?.Utilization,
                    embedding = r.Embedding,
                }),
            });
        }

        return outcome;
    }

    private sealed record BatchRun(int Batch, int Tokens, int Instructions, long Macs, long ModelledCycles, CosimReport? Report);
}
