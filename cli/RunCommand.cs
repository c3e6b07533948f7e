using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HwGen.Models;
using HwGen.Software.Layers;

namespace HwGen.Cli;

/// <summary>
/// The <c>run</c> command: a real model (ONNX) on sentences, on the accelerator (golden model and co-simulation, see
/// <see cref="ModelOnAccelerator"/>), compared with ONNX Runtime; or the quantization study (<c>--study</c>).
/// </summary>
internal static class RunCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static Command Create()
    {
        var config = new Argument<FileInfo?>("config") { Description = "Configuration YAML of the accelerator to run the model on (needed except for --study alone).", Arity = ArgumentArity.ZeroOrOne };
        var model = new Option<string>("--model", "-m") { Description = "Model name (minilm) or path to a BERT-family ONNX file (with vocab.txt beside it).", DefaultValueFactory = _ => ModelStore.MiniLm };
        var text = new Option<string[]>("--text", "-t") { Description = "A sentence (repeatable).", AllowMultipleArgumentsPerToken = false };
        var textFile = new Option<FileInfo?>("--text-file") { Description = "Sentences, one a line." };
        var pooling = new Option<string?>("--pooling") { Description = "mean or cls (default: the model's usual one, mean for MiniLM)." };
        pooling.AcceptOnlyFromAmong("mean", "cls");
        var json = new Option<FileInfo?>("--json") { Description = "Write the results as JSON." };
        var study = new Option<bool>("--study") { Description = "Run the quantization study (fortunes-min: calibration and held-out evaluation sentences) and print the table." };
        var calibration = new Option<int>("--calibration") { Description = "Calibration sentences for activation scales.", DefaultValueFactory = _ => 32 };
        var evaluation = new Option<int>("--evaluation") { Description = "With --study: held-out evaluation sentences.", DefaultValueFactory = _ => 200 };
        var rowsOption = new Option<int[]>("--rows") { Description = "With --study: only these schemes (1-based rows of the table), e.g. --rows 2 --rows 7." };
        var datapath = new Option<string?>("--datapath") { Description = "per-column (default for post-LN models: 16-bit residual stream, per-channel weights, SmoothQuant; docs/numerics.md) or per-tensor (int8 everywhere, one scale per tensor)." };
        datapath.AcceptOnlyFromAmong("per-column", "per-tensor");
        var integerOption = new Option<bool>("--integer") { Description = "With --study and --rows: also the bit-exact integer datapaths (always without --rows)." };
        var heldOut = new Option<int>("--held-out") { Description = "Also run the first N held-out fortunes-min sentences (disjoint from the calibration sentences; the accuracy figures of docs/numerics.md)." };
        var batchTokens = new Option<int>("--batch-tokens") { Description = "Pack sentences, in order, into batches of at most this many tokens; each batch is one program (a longer sentence runs alone).", DefaultValueFactory = _ => 128 };
        var dump = new Option<DirectoryInfo?>("--dump") { Description = "With co-simulation: write every tensor of each batch as .npy plus meta.json into DIR/batchN (as sim --dump)." };
        var plot = new Option<FileInfo?>("--plot") { Description = "With co-simulation: draw each batch's per-operation cycles as a PNG (several batches: -batchN before .png)." };
        var goldenOnly = new Option<bool>("--golden-only") { Description = "Run the bit-exact golden model only (no co-simulation): accuracy over many sentences in seconds." };
        var pruneMasks = new Option<FileInfo?>("--prune-masks") { Description = "Structured pruning: a JSON file of the heads and FFN filters each layer keeps, {\"layers\": [{\"heads\": [..], \"filters\": [..]}, ...]} (docs/pruning.md)." };
        var pruneTokens = new Option<string?>("--prune-tokens") { Description = "Token pruning: " + TokenPruning.Usage + "; each sentence keeps its [CLS] and is pruned by its own attention; one program per layer (docs/pruning.md)." };
        var calibratedThresholds = new Option<bool>("--calibrated-thresholds") { Description = "With --prune-tokens: turn each keep=F budget into one fixed threshold found on the --calibration sentences, applied to every sentence run." };
        var relativeThresholds = new Option<bool>("--relative-thresholds") { Description = "With --calibrated-thresholds: find relative thresholds (on n × the importance, i.e. against the mean attention 1/n; LAYER:relative=R) instead of absolute ones." };
        var tokenPooling = new Option<string?>("--token-pooling") { Description = "With --prune-tokens: kept (pool the kept tokens only) or frozen (a pruned token adds its state from the layer after which it left, read from DRAM)." };
        tokenPooling.AcceptOnlyFromAmong("kept", "frozen");
        var cmd = new Command("run", "Run a real Transformer encoder (ONNX) on sentences on the accelerator and compare its embeddings with ONNX Runtime's float output.")
        {
            config, model, text, textFile, pooling, datapath, json, study, calibration, evaluation, rowsOption, integerOption, goldenOnly, heldOut, batchTokens, dump, plot, pruneMasks, pruneTokens, calibratedThresholds, relativeThresholds, tokenPooling,
        };
        cmd.SetAction(async (parse, cancel) =>
        {
            try
            {
                return await Execute(
                    parse.GetValue(config),
                    parse.GetValue(model)!,
                    parse.GetValue(text) ?? [],
                    parse.GetValue(textFile),
                    parse.GetValue(pooling),
                    parse.GetValue(datapath),
                    parse.GetValue(json),
                    parse.GetValue(study),
                    parse.GetValue(calibration),
                    parse.GetValue(evaluation),
                    parse.GetValue(rowsOption) ?? [],
                    parse.GetValue(integerOption),
                    parse.GetValue(goldenOnly),
                    parse.GetValue(heldOut),
                    parse.GetValue(batchTokens),
                    parse.GetValue(dump)?.ToString(),
                    parse.GetValue(plot)?.FullName,
                    parse.GetValue(pruneMasks)?.FullName,
                    parse.GetValue(pruneTokens),
                    parse.GetValue(calibratedThresholds),
                    parse.GetValue(relativeThresholds),
                    parse.GetValue(tokenPooling),
                    cancel).ConfigureAwait(false);
            }
            catch (ModelException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.BadInput;
            }
        });
        return cmd;
    }

    private static async Task<int> Execute(FileInfo? config, string modelName, string[] texts, FileInfo? textFile, string? poolingName, string? datapathName, FileInfo? json, bool study, int calibrationCount, int evaluationCount, int[] rows, bool integerRows, bool goldenOnly, int heldOut, int batchTokens, string? dump, string? plot, string? masksPath, string? pruneTokens, bool calibratedThresholds, bool relativeThresholds, string? tokenPooling, CancellationToken cancel)
    {
        if (relativeThresholds && !calibratedThresholds)
        {
            Console.Error.WriteLine("error: --relative-thresholds chooses the kind of threshold --calibrated-thresholds finds; give --calibrated-thresholds (or a relative point, e.g. --prune-tokens 2:relative=1.0)");
            return ExitCodes.BadInput;
        }

        if (TokenOptionsError(pruneTokens, calibratedThresholds || tokenPooling is not null, study, dump, plot) is { } tokenError)
        {
            Console.Error.WriteLine($"error: {tokenError}");
            return ExitCodes.BadInput;
        }

        if (masksPath is not null && study)
        {
            Console.Error.WriteLine("error: --prune-masks prunes the model run on the accelerator; the quantization study (--study) runs the unpruned model");
            return ExitCodes.BadInput;
        }

        var masks = masksPath is null ? null : PruneMasks.Load(masksPath);
        if (goldenOnly && (dump is not null || plot is not null))
        {
            Console.Error.WriteLine($"error: {(dump is not null ? "--dump" : "--plot")} shows a co-simulation; --golden-only runs none");
            return ExitCodes.BadInput;
        }

        var design = config is null ? null : CliApp.LoadDesign(config);
        if (config is not null && design is null)
        {
            return ExitCodes.BadInput;
        }

        var sentences = texts.ToList();
        if (textFile is not null)
        {
            if (!textFile.Exists)
            {
                Console.Error.WriteLine($"error: --text-file {textFile.FullName}: no such file");
                return ExitCodes.BadInput;
            }

            sentences.AddRange(File.ReadAllLines(textFile.FullName).Select(l => l.Trim()).Where(l => l.Length > 0));
        }

        if (heldOut > 0)
        {
            try
            {
                sentences.AddRange(SentenceCorpus.Load(calibrationCount, heldOut).Evaluation);
            }
            catch (ModelException ex)
            {
                Console.Error.WriteLine($"error: --held-out: {ex.Message}");
                return ExitCodes.BadInput;
            }
        }

        if (sentences.Count == 0 && !study)
        {
            Console.Error.WriteLine("error: nothing to run: give --text \"...\", --text-file FILE, --held-out N or --study");
            return ExitCodes.BadInput;
        }

        if (sentences.Count > 0 && design is null)
        {
            Console.Error.WriteLine($"error: running sentences needs the accelerator's configuration, e.g. ./hwgen run configs/default.yaml --model {modelName} --text \"...\"");
            return ExitCodes.BadInput;
        }

        using var session = ModelSession.Open(modelName);
        var m = session.Model;
        Console.WriteLine(m.Summary());
        var pooling = poolingName switch { "cls" => Pooling.Cls, "mean" => Pooling.Mean, _ => m.DefaultPooling };
        var (calibrationSet, evaluationSet) = CorpusOrFallback(calibrationCount, evaluationCount, sentences);
        if (study)
        {
            Console.WriteLine(FormattableString.Invariant($"quantization study: {calibrationSet.Count} calibration sentences ({SentenceCorpus.CalibrationFile}), {evaluationSet.Count} held-out sentences, {pooling} pooling, against ONNX Runtime"));
            if (rows.Any(r => r < 1 || r > QuantScheme.Study.Count))
            {
                Console.Error.WriteLine($"error: --rows: the study has rows 1 to {QuantScheme.Study.Count}");
                return ExitCodes.BadInput;
            }

            var schemes = rows.Length == 0 ? QuantScheme.Study : rows.Select(r => QuantScheme.Study[r - 1]).ToList();
            var table = QuantStudy.Run(session, calibrationSet, evaluationSet, schemes, pooling, Console.WriteLine);
            var integer = rows.Length == 0 || integerRows ? QuantStudy.RunInteger(session, calibrationSet, evaluationSet, pooling, Console.WriteLine) : [];
            if (json is not null)
            {
                WriteJson(json, new
                {
                    model = m.Name, pooling = pooling.ToString(), calibration = calibrationSet.Count, evaluation = evaluationSet.Count,
                    rows = table.Select(r => new { scheme = r.Scheme.Name, mean_cosine = r.MeanCosine, p5_cosine = r.P5Cosine, min_cosine = r.MinCosine, spearman = r.Spearman })
                        .Concat(integer.Select(r => new { scheme = r.Name, mean_cosine = r.Mean, p5_cosine = r.P5, min_cosine = r.Min, spearman = r.Spearman })),
                });
            }

            if (sentences.Count == 0)
            {
                return ExitCodes.Ok;
            }
        }

        var perColumn = datapathName is null ? m.Placement == NormPlacement.PostNorm : datapathName == "per-column";
        if (perColumn && m.Placement == NormPlacement.PreNorm)
        {
            Console.Error.WriteLine($"error: --datapath per-column: {m.Name} is a pre-LN model; the per-column datapath is for post-LN models (use --datapath per-tensor)");
            return ExitCodes.BadInput;
        }

        var pruned = masks?.Apply(m, masksPath!);
        var pruning = pruned is null ? null : PruningSummary(m, pruned, masksPath!);
        if (pruning is not null)
        {
            Console.WriteLine(pruning);
        }

        if (pruneTokens is not null)
        {
            TokenPruning plan;
            try
            {
                plan = TokenPruning.Parse(pruneTokens, m.Layers.Length);
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message} ({m.Name} has {m.Layers.Length} encoder layers)");
                return ExitCodes.BadInput;
            }

            var calibration = session.Tokenize(calibrationSet);
            var lowering = new EncoderLowering(pruned ?? m, calibration, perColumn ? ColumnOptions.Recommended : null);
            return await new TokenPrunedRun(session, design!, config!.ToString(), pooling, goldenOnly, batchTokens)
                .ExecuteAsync(pruned ?? m, lowering, plan, (calibratedThresholds, relativeThresholds), tokenPooling == "frozen", sentences, calibration, json, pruning, cancel).ConfigureAwait(false);
        }

        var run = new ModelOnAccelerator(session, design!, config!.ToString(), pooling, goldenOnly, batchTokens)
        {
            Model = pruned,
            Pruning = pruning,
            DumpDirectory = dump,
            PlotPath = plot,
            Columns = perColumn ? ColumnOptions.Recommended : null,
        };
        return await run.ExecuteAsync(sentences, calibrationSet, json, cancel).ConfigureAwait(false);
    }

    /// <summary>The first problem of the token-pruning options, checked before any work (the layer range once the model is loaded), or null.</summary>
    internal static string? TokenOptionsError(string? pruneTokens, bool calibrated, bool study, string? dump, string? plot)
    {
        if (pruneTokens is null)
        {
            return calibrated ? "--calibrated-thresholds and --token-pooling are options of token pruning; give --prune-tokens (e.g. 2:keep=0.5)" : null;
        }

        if (study || dump is not null || plot is not null)
        {
            return $"--prune-tokens runs the model one program per layer; {(study ? "--study runs the unpruned model" : (dump is not null ? "--dump" : "--plot") + " shows a one-program co-simulation")}";
        }

        try
        {
            TokenPruning.Parse(pruneTokens, int.MaxValue);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>One line: each layer's kept heads and filters and the MACs of a 128-token sentence against the unpruned model.</summary>
    private static string PruningSummary(EncoderModel full, EncoderModel pruned, string path)
    {
        static long Macs(EncoderModel m) => m.Layers.Sum(l => LayerSpec.Create(m.Name, m.Hidden, l.Heads, l.HeadDim, l.FfnWidth, 128, false, false).Macs);
        var layers = string.Join(", ", full.Layers.Zip(pruned.Layers).Select(p => FormattableString.Invariant($"{p.Second.Heads}/{p.First.Heads}h {p.Second.FfnWidth}/{p.First.FfnWidth}f")));
        var (a, b) = (Macs(pruned), Macs(full));
        return FormattableString.Invariant($"pruned by {Path.GetFileName(path)}: {layers}; MACs of a 128-token sentence {a / 1e6:F1} M of {b / 1e6:F1} M ({1 - ((double)a / b):P1} fewer)");
    }

    private static (IReadOnlyList<string> Calibration, IReadOnlyList<string> Evaluation) CorpusOrFallback(int calibration, int evaluation, List<string> sentences)
    {
        try
        {
            return SentenceCorpus.Load(calibration, evaluation);
        }
        catch (ModelException ex) when (sentences.Count > 0)
        {
            Console.Error.WriteLine($"warning: {ex.Message}; calibrating on the given sentences instead");
            return (sentences, sentences);
        }
    }

    internal static void WriteJson(FileInfo file, object value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file.FullName)!);
        File.WriteAllText(file.FullName, JsonSerializer.Serialize(value, JsonOptions));
    }

    internal static string Short(string s) => s.Length <= 60 ? s : string.Concat(s.AsSpan(0, 57), "...");
}
