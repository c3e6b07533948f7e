namespace HwGen.Software.Graph;

/// <summary>One operator of a graph; the graph compiler lowers each to phases of the kernel library.</summary>
/// <param name="Name">Operation name in reports (unique in the graph).</param>
public abstract record GraphNode(string Name);
