namespace HwGen.Models;

/// <summary>A model ready to run: imported description, tokenizer and the ONNX Runtime reference.</summary>
public sealed class ModelSession : IDisposable
{
    private ModelSession(ImportedModel imported, TextEncoder encoder, OrtReference reference)
    {
        Imported = imported;
        Tokenizer = encoder;
        Reference = reference;
    }

    /// <summary>The import result.</summary>
    public ImportedModel Imported { get; }

    /// <summary>The model description.</summary>
    public EncoderModel Model => Imported.Model;

    /// <summary>The tokenizer.</summary>
    public TextEncoder Tokenizer { get; }

    /// <summary>ONNX Runtime on the original file.</summary>
    public OrtReference Reference { get; }

    /// <summary>Resolves a name (<c>minilm</c>) or path, imports it and opens ONNX Runtime on it.</summary>
    public static ModelSession Open(string nameOrPath)
    {
        var files = ModelStore.Resolve(nameOrPath);
        var imported = EncoderImporter.Import(files.OnnxPath, files.Name);
        if (files.VocabPath is null)
        {
            throw new ModelException($"{files.OnnxPath}: no vocab.txt beside the model; put the model's WordPiece vocabulary there (one token a line)");
        }

        var encoder = new TextEncoder(files.VocabPath, imported.Model.MaxPositions);
        return new ModelSession(imported, encoder, new OrtReference(imported));
    }

    /// <summary>Tokenizes sentences, reporting truncation through <paramref name="warn"/>.</summary>
    public List<int[]> Tokenize(IEnumerable<string> sentences, Action<string>? warn = null)
    {
        var list = new List<int[]>();
        foreach (var s in sentences)
        {
            var ids = Tokenizer.Encode(s, out var truncated);
            if (truncated)
            {
                warn?.Invoke($"warning: a sentence longer than the model's {Model.MaxPositions} positions was truncated: \"{(s.Length > 40 ? s[..40] + "..." : s)}\"");
            }

            list.Add(ids);
        }

        return list;
    }

    /// <summary>Runs sentences through the float pass, <paramref name="quantized"/> and ONNX Runtime.</summary>
    public List<SentenceResult> Evaluate(IReadOnlyList<string> sentences, FloatEncoder floatPass, FloatEncoder quantized, Pooling pooling, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(quantized);
        return Evaluate(sentences, floatPass, ReferenceEquals(floatPass, quantized) ? null : ids => quantized.Forward(ids), pooling, warn);
    }

    /// <summary>
    /// Runs sentences through the float pass, an integer pass (<paramref name="integer"/>: token ids → last hidden states;
    /// null = the float pass itself) and ONNX Runtime.
    /// </summary>
    public List<SentenceResult> Evaluate(IReadOnlyList<string> sentences, FloatEncoder floatPass, Func<int[], float[]>? integer, Pooling pooling, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(floatPass);
        var results = new List<SentenceResult>();
        for (var i = 0; i < sentences.Count; i++)
        {
            var ids = Tokenizer.Encode(sentences[i], out var truncated);
            if (truncated)
            {
                warn?.Invoke($"warning: sentence {i + 1} is longer than the model's {Model.MaxPositions} positions and was truncated");
            }

            var reference = Flatten(Reference.HiddenStates(ids));
            var f = floatPass.Forward(ids);
            var q = integer is null ? f : integer(ids);
            var refEmb = FloatEncoder.Pool(reference, ids.Length, pooling);
            // A token-pruned integer pass returns only the tokens it kept ([CLS] always among them): pooled over those.
            var qEmb = FloatEncoder.Pool(q, q.Length / Model.Hidden, pooling);
            results.Add(new SentenceResult(
                sentences[i],
                ids.Length,
                truncated,
                Similarity.Cosine(FloatEncoder.Pool(f, ids.Length, pooling), refEmb),
                Similarity.MaxAbsDifference(f, reference),
                Similarity.Cosine(qEmb, refEmb),
                qEmb,
                refEmb));
        }

        return results;
    }

    /// <summary>Row-major copy of a 2-D array.</summary>
    public static float[] Flatten(float[,] a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var r = new float[a.Length];
        Buffer.BlockCopy(a, 0, r, 0, a.Length * sizeof(float));
        return r;
    }

    /// <inheritdoc />
    public void Dispose() => Reference.Dispose();
}
