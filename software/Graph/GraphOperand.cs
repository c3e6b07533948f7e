namespace HwGen.Software.Graph;

/// <summary>A matrix operand: a tensor from element (<paramref name="Row"/>, <paramref name="Col"/>) on (a head's slice).</summary>
/// <param name="Tensor">The tensor.</param>
/// <param name="Row">First row.</param>
/// <param name="Col">First column.</param>
public sealed record GraphOperand(GraphTensor Tensor, int Row = 0, int Col = 0);
