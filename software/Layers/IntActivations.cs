namespace HwGen.Software.Layers;

/// <summary>Integer activations of one layer (int8, row-major; same shapes as <see cref="FloatActivations"/>).</summary>
/// <param name="Q">Queries.</param>
/// <param name="K">Keys.</param>
/// <param name="V">Values.</param>
/// <param name="P">Softmax outputs (scale 2^-7), Heads·Seq×Seq.</param>
/// <param name="O">Attention output.</param>
/// <param name="X1">LayerNorm 1 output.</param>
/// <param name="H">GELU output.</param>
/// <param name="Y">Layer output.</param>
public sealed record IntActivations(sbyte[] Q, sbyte[] K, sbyte[] V, sbyte[] P, sbyte[] O, sbyte[] X1, sbyte[] H, sbyte[] Y);
