using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Graph;

/// <summary>
/// Multi-head attention on projected Q, K, V (Seq×Heads·HeadDim int8): per head h, P_h = Softmax(Q_h·K_hᵀ) (causal when
/// asked) into rows h·Seq.. of <paramref name="P"/>, then O_h = requant(P_h·V_h) into columns h·HeadDim.. of
/// <paramref name="O"/>. The graph compiler overlaps the heads (QKᵀ of head h+1 before P·V of head h), or lowers a run of
/// short packed sequences together as head groups sharing one Softmax normalize (see PhaseBuilder.AttentionGroups).
/// Operations are named <c>{Name}head{h}.qk_softmax</c> and <c>{Name}head{h}.pv</c> (grouped: one P·V operation per
/// group, named after its first head). With <see cref="Row"/>, the sequence is rows
/// Row..Row+Seq−1 of Q, K, V and O (one of several sequences packed back to back); P holds this sequence only.
/// </summary>
public sealed record AttentionNode(string Name, int Heads, int Seq, int HeadDim, GraphTensor Q, GraphTensor K, GraphTensor V, GraphTensor P, GraphTensor O,
    IntSoftmaxConstants Softmax, bool Causal, Requantization RequantO) : GraphNode(Name)
{
    /// <summary>The sequence's first row in Q, K, V and O.</summary>
    public int Row { get; init; }

    /// <summary>
    /// Late-normalized Softmax (<c>IntLateSoftmax</c>): P holds u relative to each row's maximum (0..127) and each P·V
    /// output row is divided by its Σu on the store (normalize softmax_late, store requant_row).
    /// </summary>
    public bool Late { get; init; }
}
