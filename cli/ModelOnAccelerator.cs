using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Models;
using HwGen.Software.Layers;
using HwGen.Software.References;
using HwGen.Verif;

namespace HwGen.Cli;

/// <summary>
/// <c>run CONFIG --model M --text ...</c>: calibrate and lower the model (<see cref="EncoderLowering"/>), then for each
/// sentence compile the whole layer stack into one program, run it on the golden model and (unless
/// <c>--golden-only</c>) co-simulate it on the RTL with the per-operation report, and finally compare every sentence's
/// embedding with ONNX Runtime's.
/// </summary>
internal sealed class ModelOnAccelerator(ModelSession session, DesignModel design, string configArgument, Pooling pooling, bool goldenOnly)
{
    /// <summary>Runs the sentences; the exit code says whether every co-simulation was bit-exact.</summary>
    public async Task<int> ExecuteAsync(IReadOnlyList<string> sentences, IReadOnlyList<string> calibrationSet, FileInfo? json, CancellationToken cancel)
    {
        var m = session.Model;
        var calibration = session.Tokenize(calibrationSet);
        var tokens = session.Tokenize(sentences);
        var lowering = new EncoderLowering(m, calibration);
        var pass = new AcceleratorPass(design, lowering);
        Console.WriteLine(FormattableString.Invariant($"accelerator: {design.Name} ({design.Rows}x{design.Cols}); {m.Layers.Length} layers in one program per sentence, calibrated on {calibration.Count} sentences; int8 weights (one scale per tensor), int8 activations and residual stream; embeddings on the host"));

        // Compile the first sentence before any simulation: a model the design cannot hold is refused up front.
        var first = pass.Compile(tokens[0], chainInputs: !goldenOnly);
        var hidden = new List<float[]>();
        var runs = new List<SentenceRun>();
        var outcome = ExitCodes.Ok;
        for (var i = 0; i < tokens.Count; i++)
        {
            var sentence = i == 0 ? first : pass.Compile(tokens[i], chainInputs: !goldenOnly);
            hidden.Add(pass.RunGolden(sentence));
            var modelled = pass.ModelledCycles(sentence);
            if (goldenOnly)
            {
                runs.Add(new SentenceRun(tokens[i].Length, sentence.Compiled.Program.Length, modelled, null));
                continue;
            }

            var layerRun = LayerRun.Create(sentence.Layers, sentence.Compiled);
            var report = await Cosimulation.RunAsync(design, configArgument, layerRun.Program, new CosimOptions(), UntiledReference.ForLayers(sentence.Layers), false, cancel).ConfigureAwait(false);
            report = report with { Layer = layerRun.Report(design, report) };
            Console.WriteLine(FormattableString.Invariant($"sentence {i + 1} ({tokens[i].Length} tokens):"));
            ReportPrinter.Print(design, layerRun.Program, report, null, null);
            runs.Add(new SentenceRun(tokens[i].Length, layerRun.Program.Length, modelled, report));
            outcome = Worse(outcome, report);
        }

        var next = 0;
        var results = session.Evaluate(sentences, new FloatEncoder(m), _ => hidden[next++], pooling, Console.Error.WriteLine);
        foreach (var (r, i) in results.Select((r, i) => (r, i)))
        {
            var run = runs[i];
            var rtl = run.Report is { } rep
                ? FormattableString.Invariant($"{(rep.Match ? "bit-exact" : "MISMATCH")}, {rep.Cycles:N0} cycles, {rep.Utilization:P1}")
                : FormattableString.Invariant($"golden only, {run.ModelledCycles:N0} cycles (model)");
            Console.WriteLine(FormattableString.Invariant($"  [{i + 1}] {r.Tokens,3} tokens  {rtl}  cosine vs ONNX Runtime: accelerator {r.QuantCosine:F4}, C# float {r.FloatCosine:F6}  \"{RunCommand.Short(r.Text)}\""));
        }

        double? spearman = null;
        if (results.Count >= 3)
        {
            spearman = Similarity.Spearman(Similarity.PairwiseCosines(results.Select(r => r.Embedding).ToList()), Similarity.PairwiseCosines(results.Select(r => r.ReferenceEmbedding).ToList()));
            Console.WriteLine(FormattableString.Invariant($"  Spearman of pairwise similarities (accelerator vs ONNX Runtime, {results.Count} sentences): {spearman:F4}"));
        }

        if (results.Count >= 2)
        {
            var cos = results.Select(r => r.QuantCosine).Order().ToList();
            Console.WriteLine(FormattableString.Invariant($"  embedding cosine vs ONNX Runtime over {cos.Count} sentences: mean {cos.Average():F4}, 5th percentile {Similarity.Percentile(cos, 5):F4}, worst {cos[0]:F4}"));
        }

        if (json is not null)
        {
            RunCommand.WriteJson(json, new
            {
                model = m.Name,
                summary = m.Summary(),
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
                    instructions = runs[i].Instructions,
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

    private static int Worse(int outcome, CosimReport report)
    {
        var now = report switch
        {
            { Status: SimStatus.Timeout or SimStatus.Hang } => ExitCodes.Hang,
            { Match: false } => ExitCodes.Mismatch,
            { GoldenFault.Code: not 0 } => ExitCodes.Fault,
            _ => ExitCodes.Ok,
        };
        return outcome == ExitCodes.Ok ? now : outcome;
    }

    private sealed record SentenceRun(int Tokens, int Instructions, long ModelledCycles, CosimReport? Report);
}
