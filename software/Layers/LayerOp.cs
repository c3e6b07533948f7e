namespace HwGen.Software.Layers;

/// <summary>One operation of a compiled layer: instructions [<paramref name="Start"/>, <paramref name="End"/>) of the program.</summary>
/// <param name="Name">Operation, e.g. <c>q_proj</c>, <c>head0.qk_softmax</c>, <c>ffn2_ln2</c>.</param>
/// <param name="Start">First instruction.</param>
/// <param name="End">One past the last instruction; the program prefix of this length ends with the operation complete.</param>
/// <param name="Macs">Useful multiply-accumulates.</param>
public sealed record LayerOp(string Name, int Start, int End, long Macs);
