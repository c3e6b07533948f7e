using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Graph;

/// <summary>
/// Attention of one new token over a key/value cache (a decode step): per head h, P_h = Softmax(q_h·K_hᵀ) over cache
/// rows 0..<see cref="Context"/>−1 (the new token's row included, so no mask), into row h of <paramref name="P"/>, then
/// o_h = requant(P_h·V_h) into columns h·HeadDim.. of <paramref name="O"/>. The caches are token-major (row t holds
/// token t's keys or values of every head, head h at columns h·HeadDim..), so K_hᵀ comes through the transposed load.
/// Operations are named <c>{Name}head{h}.qk_softmax</c> and <c>{Name}head{h}.pv</c>.
/// </summary>
public sealed record DecodeAttentionNode(string Name, int Heads, int Context, int HeadDim, GraphTensor Q, GraphTensor KCache, GraphTensor VCache,
    GraphTensor P, GraphTensor O, IntSoftmaxConstants Softmax, Requantization RequantO) : GraphNode(Name);
