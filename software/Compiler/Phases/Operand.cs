using HwGen.Software.Programs;

namespace HwGen.Software.Compiler;

/// <summary>A DRAM operand: a tensor and a byte offset into it (a head's columns, a head's rows).</summary>
internal sealed record Operand(TensorRegion Tensor, long Offset)
{
    /// <summary>The byte address of element (<paramref name="row"/>, <paramref name="col"/>) from the operand's start (for int4, of the byte that holds it; col is then even).</summary>
    public long Address(int row, int col) => Tensor.Address + Offset + (row * Tensor.StrideBytes) + Tensor.ByteOffset(col);

    /// <summary>True for an int16 tensor, which loads read with <c>elem16</c>.</summary>
    public bool Wide => Tensor.Dtype == ElementType.Int16;

    /// <summary>True when the tensor holds packed int4 elements (loaded with <c>load int4</c>).</summary>
    public bool Int4 => Tensor.Dtype == ElementType.Int4;
}
