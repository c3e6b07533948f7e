namespace HwGen.Software.Programs;

/// <summary>
/// The exact float result a Transformer kernel approximates, for measuring accuracy: <see cref="Reference"/> holds,
/// row-major, the float function of the dequantized input for every element of output tensor <see cref="Tensor"/>,
/// whose integers have real scale <see cref="OutputScale"/> (one output LSB). For a whole layer (kernel <c>layer</c>)
/// each intermediate tensor has one: the float layer run on the dequantized int8 weights.
/// </summary>
/// <param name="Kernel">Kernel name (gelu, softmax, layernorm, layer).</param>
/// <param name="Tensor">Name of the output tensor.</param>
/// <param name="Reference">Float reference per element, row-major.</param>
/// <param name="OutputScale">Real value of one output LSB.</param>
public sealed record KernelReference(string Kernel, string Tensor, double[] Reference, double OutputScale)
{
    /// <summary>
    /// The tensor's rows are measured divided by their sums: the probabilities of a late-normalized Softmax, whose P holds
    /// u relative to each row's maximum and whose division by Σu happens on the P·V output.
    /// </summary>
    public bool RowNormalized { get; init; }
}
