namespace HwGen.Models;

/// <summary>The embedding stage: word + position (+ token type) rows summed, then (post-LN models) a LayerNorm.</summary>
/// <param name="Word">[vocabulary, hidden].</param>
/// <param name="Position">[positions, hidden]; row i is added to token i.</param>
/// <param name="TokenType">[types, hidden], or null when the export folded it away; sentences use type 0.</param>
/// <param name="Norm">The embedding LayerNorm, or null (pre-LN models).</param>
public sealed record EmbeddingWeights(FloatMatrix Word, FloatMatrix Position, FloatMatrix? TokenType, LayerNormWeights? Norm)
{
    /// <summary>The model width.</summary>
    public int Hidden => Word.Cols;

    /// <summary>The longest sequence the position table allows.</summary>
    public int MaxPositions => Position.Rows;
}
