using HwGen.Software.Compiler;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Graph;

/// <summary>
/// C = epilogue(A·B [+ bias]) with A M×K, B K×N (or, <see cref="TransposedB"/>, N×K read transposed). The epilogue's
/// constants: <see cref="Requant"/> (requantize), <see cref="Gelu"/>, <see cref="Softmax"/> (with <see cref="Causal"/>),
/// <see cref="Norm"/> with <see cref="Residual"/> and <see cref="Affine"/> γ/β (LayerNorm), <see cref="Add"/> with
/// <see cref="Residual"/> (residual add).
/// </summary>
public sealed record GemmNode(string Name, GraphOperand A, GraphOperand B, bool TransposedB, int M, int N, int K, GraphTensor? Bias,
    GemmEpilogue Epilogue, GraphOperand C) : GraphNode(Name)
{
    /// <summary>Requantization of <see cref="GemmEpilogue.Requantize"/>.</summary>
    public Requantization? Requant { get; init; }

    /// <summary>Constants of <see cref="GemmEpilogue.Softmax"/>.</summary>
    public IntSoftmaxConstants? Softmax { get; init; }

    /// <summary>Causal mask of <see cref="GemmEpilogue.Softmax"/>.</summary>
    public bool Causal { get; init; }

    /// <summary>Constants of <see cref="GemmEpilogue.Gelu"/>.</summary>
    public IntGeluConstants? Gelu { get; init; }

    /// <summary>Constants of <see cref="GemmEpilogue.LayerNorm"/>.</summary>
    public IntLayerNormConstants? Norm { get; init; }

    /// <summary>Constants of <see cref="GemmEpilogue.ResidualAdd"/>.</summary>
    public IntResidualAddConstants? Add { get; init; }

    /// <summary>The int8 residual of LayerNorm and add.</summary>
    public GraphOperand? Residual { get; init; }

    /// <summary>γ/β of LayerNorm (<see cref="GraphTensor.Rowwise"/> γ then β; in column mode γ with m, β, A).</summary>
    public GraphTensor? Affine { get; init; }

    /// <summary>
    /// LayerNorm's column mode (config_post ln_in_shift ≠ 0): the input multipliers' shift and the per-column residual
    /// multipliers' shift; <see cref="Affine"/> then holds three vectors. Null: one scale per tensor.
    /// </summary>
    public (int InShift, int ResidualShift)? NormColumns { get; init; }

    /// <summary>The GELU store's per-column constants (<c>store func=gelu_col</c>): two vectors, the input and output words.</summary>
    public GraphTensor? GeluColumns { get; init; }

    /// <summary>
    /// The requantization's per-column multipliers (<c>store col_mult</c>, per-output-channel weight scales; config_store's
    /// shift): one vector. Null: <see cref="Requant"/>'s multiplier for every column.
    /// </summary>
    public GraphTensor? RequantColumns { get; init; }

    /// <summary>
    /// A GEMM of a few rows (a decode step): the compiler maps it output-stationary when the design allows
    /// (<c>PhaseBuilder.StreamedGemm</c>), so the weights stream at the AXI bandwidth.
    /// </summary>
    public bool Streamed { get; init; }

    /// <summary>Multiply-accumulates.</summary>
    public long Macs => (long)M * N * K;
}
