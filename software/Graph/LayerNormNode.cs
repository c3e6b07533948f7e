using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Graph;

/// <summary>LayerNorm of an int8 M×N tensor without residual (pre-LN), with γ/β <paramref name="Affine"/>, into <paramref name="C"/>.</summary>
public sealed record LayerNormNode(string Name, GraphOperand X, int M, int N, GraphTensor Affine, IntLayerNormConstants Norm, GraphOperand C) : GraphNode(Name);
