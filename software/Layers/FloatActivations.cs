namespace HwGen.Software.Layers;

/// <summary>Float activations of one layer, row-major (P: head h's Seq×Seq probabilities at rows h·Seq…).</summary>
/// <param name="Q">Queries, Seq×Hidden.</param>
/// <param name="K">Keys, Seq×Hidden.</param>
/// <param name="V">Values, Seq×Hidden.</param>
/// <param name="P">Attention probabilities, Heads·Seq×Seq.</param>
/// <param name="O">Attention output (heads concatenated, before the output projection), Seq×Hidden.</param>
/// <param name="X1">Output of the attention block (post-LN: after LayerNorm 1), Seq×Hidden.</param>
/// <param name="H">FFN hidden activations after GELU, Seq×Ffn.</param>
/// <param name="Y">Layer output, Seq×Hidden.</param>
public sealed record FloatActivations(double[] Q, double[] K, double[] V, double[] P, double[] O, double[] X1, double[] H, double[] Y)
{
    /// <summary>Pre-LN only: LayerNorm 1 of the input (what Q, K, V are computed from).</summary>
    public double[]? A1 { get; init; }

    /// <summary>Pre-LN only: LayerNorm 2 of X1 (what FFN1 is computed from).</summary>
    public double[]? A2 { get; init; }
}
