using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Graph;

/// <summary>
/// Attention of a sequence's new tokens over its key/value cache (a decode step): per head h, P_h = Softmax(q_h·K_hᵀ)
/// over cache rows <see cref="CacheRow"/>.. (<see cref="Context"/> of them, the new tokens' rows included), into rows
/// h·<see cref="HeadRows"/> + <see cref="QueryRow"/>.. of <paramref name="P"/>, then o_h = requant(P_h·V_h) into columns
/// h·HeadDim.. of <paramref name="O"/>. One new token (<see cref="Queries"/> = 1) sees every cached row, so no mask; a
/// k-token step is causal inside the chunk: query i sees keys 0..Context − k + i. The caches are token-major (row t
/// holds token t's keys or values of every head, head h at columns h·HeadDim..), so K_hᵀ comes through the transposed
/// load. Operations are named <c>{Name}head{h}.qk_softmax</c> and <c>{Name}head{h}.pv</c>.
/// </summary>
public sealed record DecodeAttentionNode(string Name, int Heads, int Context, int HeadDim, GraphTensor Q, GraphTensor KCache, GraphTensor VCache,
    GraphTensor P, GraphTensor O, IntSoftmaxConstants Softmax, Requantization RequantO) : GraphNode(Name)
{
    /// <summary>New tokens (query rows); the last <see cref="Queries"/> of the <see cref="Context"/> cache rows are theirs.</summary>
    public int Queries { get; init; } = 1;

    /// <summary>The sequence's first query row in Q and O (sequences of a batch follow each other).</summary>
    public int QueryRow { get; init; }

    /// <summary>The sequence's first cache row (each sequence of a batch has its own rows).</summary>
    public int CacheRow { get; init; }

    /// <summary>Rows of <see cref="P"/> between heads (the step's most rows).</summary>
    public int HeadRows { get; init; } = 1;
}
