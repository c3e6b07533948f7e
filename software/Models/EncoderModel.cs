using System.Collections.Immutable;

namespace HwGen.Models;

/// <summary>
/// A BERT-family encoder as recognized in an ONNX graph: everything the float reference, the quantizer and (later)
/// the compiler need, and nothing that depends on how the exporter spelled the graph.
/// </summary>
/// <param name="Name">The model's name (<c>minilm</c>, or the file name).</param>
/// <param name="Embeddings">The embedding stage.</param>
/// <param name="Layers">The encoder layers, in order.</param>
/// <param name="Placement">Post-LN (BERT) or pre-LN.</param>
/// <param name="FinalNorm">A LayerNorm after the last layer (pre-LN models), or null.</param>
/// <param name="DefaultPooling">The pooling the model is normally used with.</param>
/// <param name="MaskValue">The additive constant the export uses for masked positions (−10000, −3.4e38, ...), kept for the report.</param>
/// <param name="Opset">The default-domain opset the file declares.</param>
public sealed record EncoderModel(
    string Name,
    EmbeddingWeights Embeddings,
    ImmutableArray<EncoderLayer> Layers,
    NormPlacement Placement,
    LayerNormWeights? FinalNorm,
    Pooling DefaultPooling,
    float MaskValue,
    long Opset)
{
    /// <summary>The model width.</summary>
    public int Hidden => Embeddings.Hidden;

    /// <summary>The longest token sequence the model accepts.</summary>
    public int MaxPositions => Embeddings.MaxPositions;

    /// <summary>Number of float parameters held by the description.</summary>
    public long ParameterCount
    {
        get
        {
            static long Ln(LayerNormWeights? n) => n is null ? 0 : 2L * n.Width;
            static long Lin(LinearWeights l) => ((long)l.In * l.Out) + l.Out;
            var e = Embeddings.Word.Data.Length + (long)Embeddings.Position.Data.Length + (Embeddings.TokenType?.Data.Length ?? 0) + Ln(Embeddings.Norm);
            foreach (var l in Layers)
            {
                e += Lin(l.Query) + Lin(l.Key) + Lin(l.Value) + Lin(l.Output) + Lin(l.Ffn1) + Lin(l.Ffn2) + Ln(l.AttentionNorm) + Ln(l.FfnNorm);
            }

            return e + Ln(FinalNorm);
        }
    }

    /// <summary>One line describing the shape, e.g. for the CLI.</summary>
    public string Summary()
    {
        var first = Layers.IsEmpty ? null : Layers[0];
        var uniform = Layers.All(l => l.Heads == first!.Heads && l.FfnWidth == first.FfnWidth);
        var shape = first is null
            ? "no layers"
            : uniform
                ? $"{Layers.Length} layers, {first.Heads} heads of {first.HeadDim}, FFN {first.FfnWidth}, GELU {first.Gelu.ToString().ToLowerInvariant()}"
                : $"{Layers.Length} layers of differing shapes";
        return $"{Name}: {(Placement == NormPlacement.PostNorm ? "post-LN" : "pre-LN")} encoder, hidden {Hidden}, {shape}, "
            + $"{MaxPositions} positions, vocabulary {Embeddings.Word.Rows}, {ParameterCount / 1e6:F1} M parameters, opset {Opset}";
    }
}
