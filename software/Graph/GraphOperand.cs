namespace HwGen.Software.Graph;

/// <summary>A matrix operand: a tensor from element (<paramref name="Row"/>, <paramref name="Col"/>) on (a head's slice).</summary>
/// <param name="Tensor">The tensor.</param>
/// <param name="Row">First row.</param>
/// <param name="Col">First column.</param>
public sealed record GraphOperand(GraphTensor Tensor, int Row = 0, int Col = 0)
{
    /// <summary>
    /// A scattered output (the K and V rows of a batched decode step, each sequence's into its own cache rows): the
    /// operand's rows in runs of <c>Rows</c>, each run from tensor row <c>TensorRow</c> on; null: rows from <see cref="Row"/> on.
    /// </summary>
    public IReadOnlyList<(int Rows, int TensorRow)>? Segments { get; init; }
}
