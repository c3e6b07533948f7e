namespace HwGen.Verif;

/// <summary>The first element where the RTL's DRAM differs from the golden model's.</summary>
/// <param name="Tensor">Output tensor name, or <c>(dram)</c> for a byte outside every output tensor.</param>
/// <param name="Row">Row of the element (0 for <c>(dram)</c>).</param>
/// <param name="Col">Column of the element (byte offset for <c>(dram)</c>).</param>
/// <param name="Address">DRAM byte address of the element.</param>
/// <param name="Expected">Golden value.</param>
/// <param name="Actual">RTL value.</param>
/// <param name="DifferingElements">How many elements of the tensor differ (bytes for <c>(dram)</c>).</param>
public sealed record TensorMismatch(string Tensor, int Row, int Col, long Address, long Expected, long Actual, long DifferingElements);
