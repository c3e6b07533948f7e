using HwGen.Software.Numerics;

namespace HwGen.Software.Layers;

/// <summary>
/// The activation scales of one layer (S = max|x|/127 of each tensor the hardware stores as int8), named as in
/// <see cref="FloatActivations"/>. A seeded preset takes them from its own float run; an imported model takes the largest
/// over its calibration sentences (<see cref="Max"/>).
/// </summary>
/// <param name="X">The layer input.</param>
/// <param name="Q">Queries.</param>
/// <param name="K">Keys.</param>
/// <param name="V">Values.</param>
/// <param name="O">Attention output (P·V).</param>
/// <param name="X1">After the first residual add (and LayerNorm 1 in post-LN).</param>
/// <param name="H">GELU output.</param>
/// <param name="Y">Layer output.</param>
/// <param name="A1">Pre-LN only: LayerNorm 1 output (0 for post-LN).</param>
/// <param name="A2">Pre-LN only: LayerNorm 2 output (0 for post-LN).</param>
public sealed record LayerScales(double X, double Q, double K, double V, double O, double X1, double H, double Y, double A1, double A2)
{
    /// <summary>The scales of one float run of a layer on <paramref name="input"/>.</summary>
    public static LayerScales Of(double[] input, FloatActivations f)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(f);
        return new LayerScales(
            SymmetricQuantizer.Scale(input),
            SymmetricQuantizer.Scale(f.Q),
            SymmetricQuantizer.Scale(f.K),
            SymmetricQuantizer.Scale(f.V),
            SymmetricQuantizer.Scale(f.O),
            SymmetricQuantizer.Scale(f.X1),
            SymmetricQuantizer.Scale(f.H),
            SymmetricQuantizer.Scale(f.Y),
            f.A1 is null ? 0 : SymmetricQuantizer.Scale(f.A1),
            f.A2 is null ? 0 : SymmetricQuantizer.Scale(f.A2));
    }

    /// <summary>The larger scale of each tensor (calibration over several inputs).</summary>
    public LayerScales Max(LayerScales other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new LayerScales(
            Math.Max(X, other.X), Math.Max(Q, other.Q), Math.Max(K, other.K), Math.Max(V, other.V), Math.Max(O, other.O),
            Math.Max(X1, other.X1), Math.Max(H, other.H), Math.Max(Y, other.Y), Math.Max(A1, other.A1), Math.Max(A2, other.A2));
    }
}
