namespace HwGen.Software.Programs;

/// <summary>
/// A 2-D tensor laid out in DRAM: <see cref="Rows"/> rows of <see cref="Cols"/> elements,
/// row r starting at <c>Address + r*StrideBytes</c>, elements little-endian.
/// </summary>
/// <param name="Name">Tensor name used in reports and dump file names (e.g. <c>A</c>, <c>B</c>, <c>C</c>).</param>
/// <param name="Role">Input or output.</param>
/// <param name="Address">Byte address of row 0.</param>
/// <param name="Rows">Row count.</param>
/// <param name="Cols">Elements per row.</param>
/// <param name="StrideBytes">Bytes between rows.</param>
/// <param name="Dtype">Element type.</param>
public sealed record TensorRegion(string Name, TensorRole Role, long Address, int Rows, int Cols, long StrideBytes, ElementType Dtype)
{
    /// <summary>Bytes per element.</summary>
    public int ElementBytes => Dtype switch
    {
        ElementType.Int8 => 1,
        ElementType.Int16 => 2,
        _ => 4,
    };

    /// <summary>First byte past the region.</summary>
    public long EndAddress => Address + ((Rows - 1) * StrideBytes) + ((long)Cols * ElementBytes);

    /// <summary>Reads the tensor out of a DRAM image as a dense row-major array of element values.</summary>
    public long[] Read(ReadOnlySpan<byte> dram)
    {
        var values = new long[(long)Rows * Cols];
        for (var r = 0; r < Rows; r++)
        {
            for (var c = 0; c < Cols; c++)
            {
                var at = checked((int)(Address + (r * StrideBytes) + ((long)c * ElementBytes)));
                values[((long)r * Cols) + c] = Dtype switch
                {
                    ElementType.Int8 => (sbyte)dram[at],
                    ElementType.Int16 => BitConverter.ToInt16(dram.Slice(at, 2)),
                    _ => BitConverter.ToInt32(dram.Slice(at, 4)),
                };
            }
        }

        return values;
    }
}
