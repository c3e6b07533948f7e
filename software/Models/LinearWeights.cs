namespace HwGen.Models;

/// <summary>A dense projection <c>y = x·W + b</c> with W stored [in, out] (the ONNX MatMul layout).</summary>
/// <param name="Weight">W, [in, out].</param>
/// <param name="Bias">b, one row of width out.</param>
public sealed record LinearWeights(FloatMatrix Weight, FloatMatrix Bias)
{
    /// <summary>Input width.</summary>
    public int In => Weight.Rows;

    /// <summary>Output width.</summary>
    public int Out => Weight.Cols;
}
