namespace HwGen.Models;

/// <summary>LayerNorm over the last axis: <c>γ·(x − μ)/√(σ² + ε) + β</c>.</summary>
/// <param name="Gamma">γ, one row of the model width.</param>
/// <param name="Beta">β, one row of the model width.</param>
/// <param name="Epsilon">ε added to the variance.</param>
public sealed record LayerNormWeights(FloatMatrix Gamma, FloatMatrix Beta, float Epsilon)
{
    /// <summary>The normalized width.</summary>
    public int Width => Gamma.Cols;
}
