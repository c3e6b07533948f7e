namespace HwGen.Models;

/// <summary>
/// One encoder layer as imported. Shapes are per layer (a pruned model may keep fewer heads or a narrower FFN
/// in some layers): the Q/K/V projections are [hidden, heads·headDim], the output projection [heads·headDim, hidden].
/// </summary>
/// <param name="Heads">Attention heads kept in this layer.</param>
/// <param name="HeadDim">Width of one head.</param>
/// <param name="ScoreScale">The factor applied to QKᵀ (1/√headDim in BERT), whatever Div/Mul spelled it.</param>
/// <param name="Query">Q projection.</param>
/// <param name="Key">K projection.</param>
/// <param name="Value">V projection.</param>
/// <param name="Output">Attention output projection.</param>
/// <param name="AttentionNorm">The LayerNorm around attention (after the residual add in post-LN, before attention in pre-LN).</param>
/// <param name="Ffn1">First FFN projection, [hidden, ffn].</param>
/// <param name="Gelu">The GELU form between the FFN projections.</param>
/// <param name="Ffn2">Second FFN projection, [ffn, hidden].</param>
/// <param name="FfnNorm">The LayerNorm around the FFN.</param>
public sealed record EncoderLayer(
    int Heads,
    int HeadDim,
    float ScoreScale,
    LinearWeights Query,
    LinearWeights Key,
    LinearWeights Value,
    LinearWeights Output,
    LayerNormWeights AttentionNorm,
    LinearWeights Ffn1,
    GeluForm Gelu,
    LinearWeights Ffn2,
    LayerNormWeights FfnNorm)
{
    /// <summary>The FFN's inner width.</summary>
    public int FfnWidth => Ffn1.Out;

    /// <summary>Heads × head width (the attention width).</summary>
    public int AttentionWidth => Heads * HeadDim;
}
