namespace HwGen.Software.Graph;

/// <summary>Collects the tensors and nodes of an <see cref="OperatorGraph"/> in order.</summary>
public sealed class GraphBuilder
{
    private readonly List<GraphTensor> tensors = [];
    private readonly List<GraphNode> nodes = [];

    /// <summary>Declares a tensor (its DRAM place follows the tensors declared before it) and returns it.</summary>
    public GraphTensor Tensor(GraphTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensors.Any(t => t.Name == tensor.Name))
        {
            throw new ArgumentException($"the graph already has a tensor named '{tensor.Name}'", nameof(tensor));
        }

        tensors.Add(tensor);
        return tensor;
    }

    /// <summary>The tensor declared under <paramref name="name"/>, or null.</summary>
    public GraphTensor? Find(string name) => tensors.Find(t => t.Name == name);

    /// <summary>Adds an operator after the ones added before.</summary>
    public void Node(GraphNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        nodes.Add(node);
    }

    /// <summary>Nodes added so far.</summary>
    public int NodeCount => nodes.Count;

    /// <summary>The graph.</summary>
    public OperatorGraph Build(string name, int residualWidth) => new(name, residualWidth, tensors.ToList(), nodes.ToList());
}
