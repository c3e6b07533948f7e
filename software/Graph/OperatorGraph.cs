namespace HwGen.Software.Graph;

/// <summary>
/// What the compiler compiles besides single-kernel workloads: DRAM tensors (placed in this order) and operator nodes (run
/// in this order, overlapped where their memories allow). Layer presets describe themselves as a graph
/// (<see cref="Layers.LayerCompiler"/>); a model importer or a decode step can build one with <see cref="GraphBuilder"/>,
/// with shapes that differ from node to node.
/// </summary>
/// <param name="Name">Workload name in reports.</param>
/// <param name="ResidualWidth">Widest row a LayerNorm or bias of the graph spans (the hidden size): sizes the accumulator's γ/β and bias areas.</param>
/// <param name="Tensors">The tensors, in DRAM order.</param>
/// <param name="Nodes">The operators, in order.</param>
public sealed record OperatorGraph(string Name, int ResidualWidth, IReadOnlyList<GraphTensor> Tensors, IReadOnlyList<GraphNode> Nodes)
{
    /// <summary>Multiply-accumulates of every node.</summary>
    public long Macs => Nodes.Sum(n => n switch
    {
        GemmNode g => g.Macs,
        AttentionNode a => 2L * a.Heads * Layers.LayerSpec.AttentionMacs(a.Seq, a.HeadDim, a.Causal),
        DecodeAttentionNode a => 2L * a.Heads * a.Context * a.HeadDim,
        _ => 0,
    });
}
