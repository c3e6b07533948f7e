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
public sealed record IntActivations(sbyte[] Q, sbyte[] K, sbyte[] V, sbyte[] P, sbyte[] O, sbyte[] X1, sbyte[] H, sbyte[] Y)
{
    /// <summary>Pre-LN only: LayerNorm 1 of the input.</summary>
    public sbyte[]? A1 { get; init; }

    /// <summary>Pre-LN only: LayerNorm 2 of X1.</summary>
    public sbyte[]? A2 { get; init; }

    /// <summary>The layer these activations belong to (how <see cref="P"/> splits into sequences), or null for one sequence.</summary>
    public LayerSpec? Spec { get; init; }

    /// <summary>Every tensor the compiled program writes, by its DRAM tensor name.</summary>
    public IEnumerable<(string Name, sbyte[] Values)> Tensors()
    {
        if (A1 is not null)
        {
            yield return ("A1", A1);
        }

        foreach (var t in new[] { ("Q", Q), ("K", K), ("V", V) })
        {
            yield return t;
        }

        foreach (var t in LayerSpec.SplitProbabilities(Spec, P))
        {
            yield return t;
        }

        yield return ("O", O);
        yield return ("X1", X1);

        if (A2 is not null)
        {
            yield return ("A2", A2);
        }

        yield return ("H", H);
        yield return ("Y", Y);
    }
}
