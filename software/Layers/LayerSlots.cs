using HwGen.Software.Graph;

namespace HwGen.Software.Layers;

/// <summary>
/// How a layer of a decoder graph (software/Decode) differs from a standalone layer: it spans <paramref name="Rows"/>
/// tokens, shares the weights declared under <paramref name="WeightPrefix"/>, writes K and V into rows
/// <paramref name="CacheRow"/>.. of the caches, and, with <paramref name="Attention"/>, lets the caller add the attention
/// nodes (given Q and O) instead of the causal <see cref="AttentionNode"/> over its own rows.
/// </summary>
/// <param name="WeightPrefix">Name prefix of the weight, bias and γ/β tensors (found in the graph, or declared there).</param>
/// <param name="Rows">Tokens the layer computes (the prompt, or 1 for a decode step).</param>
/// <param name="KCache">The layer's key cache (context × hidden, token-major).</param>
/// <param name="VCache">The layer's value cache (context × hidden, token-major).</param>
/// <param name="CacheRow">Cache row of the first token.</param>
/// <param name="Attention">Adds the attention nodes from Q into O; null: causal attention over the layer's own rows.</param>
public sealed record LayerSlots(string WeightPrefix, int Rows, GraphTensor KCache, GraphTensor VCache, int CacheRow,
    Action<GraphTensor, GraphTensor>? Attention)
{
    /// <summary>Rows the layer's activation tensors are declared with (a step's most rows, so every step places them alike); null: <see cref="Rows"/>.</summary>
    public int? TensorRows { get; init; }

    /// <summary>
    /// Where K and V rows go when the tokens belong to several sequences (a batched step): runs of (rows, cache row), in
    /// token order; null: <see cref="Rows"/> rows from <see cref="CacheRow"/> on.
    /// </summary>
    public IReadOnlyList<(int Rows, int CacheRow)>? CacheSegments { get; init; }
}
