using HwGen.Software.Programs;

namespace HwGen.Software.Compiler;

/// <summary>A DRAM operand: a tensor and a byte offset into it (a head's columns, a head's rows).</summary>
internal sealed record Operand(TensorRegion Tensor, long Offset)
{
    public long Address(int row, int col) => Tensor.Address + Offset + (row * Tensor.StrideBytes) + col;
}
