namespace HwGen.Software.References;

/// <summary>One output tensor as the untiled integer reference computes it: dense, row-major element values.</summary>
/// <param name="Name">The program's name for the tensor (<c>C</c>, <c>Y</c>, <c>L1.Q</c>).</param>
/// <param name="Values">Element values, row-major, as <see cref="Programs.TensorRegion.Read"/> returns them.</param>
public sealed record ReferenceTensor(string Name, long[] Values);
