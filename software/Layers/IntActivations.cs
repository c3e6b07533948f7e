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

    /// <summary>The per-column datapath's 16-bit LayerNorm 1 output (what the program stores; <see cref="X1"/> is its int8 narrowing).</summary>
    public short[]? X1Wide { get; init; }

    /// <summary>The per-column datapath's 16-bit layer output (what the program stores; <see cref="Y"/> is its int8 narrowing).</summary>
    public short[]? YWide { get; init; }

    /// <summary>The layer these activations belong to (how <see cref="P"/> splits into sequences), or null for one sequence.</summary>
    public LayerSpec? Spec { get; init; }

    /// <summary>The layer output as the program stores it: <see cref="YWide"/> or <see cref="Y"/>.</summary>
    public long[] StoredY => YWide is { } w ? Long(w) : Long(Y);

    /// <summary>Every tensor the compiled program writes, by its DRAM tensor name, with the values it stores.</summary>
    public IEnumerable<(string Name, long[] Values)> Tensors()
    {
        if (A1 is not null)
        {
            yield return ("A1", Long(A1));
        }

        foreach (var (name, values) in new[] { ("Q", Q), ("K", K), ("V", V) })
        {
            yield return (name, Long(values));
        }

        foreach (var (name, values) in LayerSpec.SplitProbabilities(Spec, P))
        {
            yield return (name, Long(values));
        }

        yield return ("O", Long(O));
        yield return ("X1", X1Wide is { } x1 ? Long(x1) : Long(X1));

        if (A2 is not null)
        {
            yield return ("A2", Long(A2));
        }

        yield return ("H", Long(H));
        yield return ("Y", StoredY);
    }

    private static long[] Long(sbyte[] v) => Array.ConvertAll(v, x => (long)x);

    private static long[] Long(short[] v) => Array.ConvertAll(v, x => (long)x);
}
