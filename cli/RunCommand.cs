using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HwGen.Models;

namespace HwGen.Cli;

/// <summary>
/// The <c>run</c> command: a real model (ONNX) on sentences, compared with ONNX Runtime. Today the integer numbers come
/// from the fake-quantized C# forward pass (software/Models); the co-simulation path is added when the compiler graph lands.
/// </summary>
internal static class RunCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static Command Create()
    {
        var config = new Argument<FileInfo?>("config") { Description = "Configuration YAML (validated; the accelerator path is not wired to models yet).", Arity = ArgumentArity.ZeroOrOne };
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
        var cmd = new Command("run", "Run a real Transformer encoder (ONNX) on sentences and compare its embeddings with ONNX Runtime's float output.")
        {
            config, model, text, textFile, pooling, json, study, calibration, evaluation, rowsOption,
        };
        cmd.SetAction(parse =>
        {
            try
            {
                return Execute(
                    parse.GetValue(config),
                    parse.GetValue(model)!,
                    parse.GetValue(text) ?? [],
                    parse.GetValue(textFile),
                    parse.GetValue(pooling),
                    parse.GetValue(json),
                    parse.GetValue(study),
                    parse.GetValue(calibration),
                    parse.GetValue(evaluation),
                    parse.GetValue(rowsOption) ?? []);
            }
            catch (ModelException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.BadInput;
            }
        });
        return cmd;
    }

    private static int Execute(FileInfo? config, string modelName, string[] texts, FileInfo? textFile, string? poolingName, FileInfo? json, bool study, int calibrationCount, int evaluationCount, int[] rows)
    {
        if (config is not null && CliApp.LoadDesign(config) is null)
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

        if (sentences.Count == 0 && !study)
        {
            Console.Error.WriteLine("error: nothing to run: give --text \"...\", --text-file FILE, or --study");
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
            if (json is not null)
            {
                WriteJson(json, new { model = m.Name, pooling = pooling.ToString(), calibration = calibrationSet.Count, evaluation = evaluationSet.Count, rows = table.Select(r => new { scheme = r.Scheme.Name, mean_cosine = r.MeanCosine, p5_cosine = r.P5Cosine, min_cosine = r.MinCosine, spearman = r.Spearman }) });
            }

            if (sentences.Count == 0)
            {
                return ExitCodes.Ok;
            }
        }

        var scheme = QuantScheme.Best;
        var floatPass = new FloatEncoder(m);
        var quantized = new FloatEncoder(m, scheme, session.Tokenize(calibrationSet));
        Console.WriteLine($"integer path: fake-quantized C# forward pass, scheme '{scheme.Name}' (per-channel int8 weights; not yet the accelerator or its golden model)");
        var results = session.Evaluate(sentences, floatPass, quantized, pooling, Console.Error.WriteLine);
        foreach (var (r, i) in results.Select((r, i) => (r, i)))
        {
            Console.WriteLine(FormattableString.Invariant($"  [{i + 1}] {r.Tokens,3} tokens  cosine vs ONNX Runtime: float {r.FloatCosine:F6} (max |Δh| {r.FloatMaxAbsError:G3}), integer {r.QuantCosine:F4}  \"{Short(r.Text)}\""));
        }

        double? spearman = null;
        if (results.Count >= 3)
        {
            spearman = Similarity.Spearman(Similarity.PairwiseCosines(results.Select(r => r.Embedding).ToList()), Similarity.PairwiseCosines(results.Select(r => r.ReferenceEmbedding).ToList()));
            Console.WriteLine(FormattableString.Invariant($"  Spearman of pairwise similarities (integer vs ONNX Runtime, {results.Count} sentences): {spearman:F4}"));
        }

        if (json is not null && !study)
        {
            WriteJson(json, new
            {
                model = m.Name,
                summary = m.Summary(),
                pooling = pooling.ToString(),
                integer_path = "fake-quantized C# forward pass",
                scheme = scheme.Name,
                spearman,
                sentences = results.Select(r => new { text = r.Text, tokens = r.Tokens, truncated = r.Truncated, float_cosine = r.FloatCosine, float_max_abs_error = r.FloatMaxAbsError, integer_cosine = r.QuantCosine, embedding = r.Embedding }),
            });
        }

        return ExitCodes.Ok;
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

    private static void WriteJson(FileInfo file, object value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file.FullName)!);
        File.WriteAllText(file.FullName, JsonSerializer.Serialize(value, JsonOptions));
    }

    private static string Short(string s) => s.Length <= 60 ? s : string.Concat(s.AsSpan(0, 57), "...");
}
