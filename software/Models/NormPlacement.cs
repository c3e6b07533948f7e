namespace HwGen.Models;

/// <summary>Where each layer's LayerNorms sit relative to the residual adds.</summary>
public enum NormPlacement
{
    /// <summary>BERT: <c>h = LN(h + f(h))</c>.</summary>
    PostNorm,

    /// <summary>GPT-2/ViT style: <c>h = h + f(LN(h))</c>, usually with a final LayerNorm.</summary>
    PreNorm,
}
