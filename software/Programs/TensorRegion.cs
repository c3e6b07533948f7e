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
    /// <summary>Bytes per element (int4: 1, the byte that holds it; see <see cref="ByteOffset"/>).</summary>
    public int ElementBytes => Dtype switch
    {
        ElementType.Int8 or ElementType.Int4 => 1,
        ElementType.Int16 => 2,
        _ => 4,
    };

    /// <summary>Byte offset of column <paramref name="col"/> within a row (int4: the byte holding it, col/2).</summary>
    public long ByteOffset(int col) => Dtype == ElementType.Int4 ? col / 2 : (long)col * ElementBytes;

    /// <summary>Bytes of one row's <paramref name="cols"/> elements (int4: ceil(cols/2)).</summary>
    public long RowBytes(int cols) => Dtype == ElementType.Int4 ? (cols + 1L) / 2 : (long)cols * ElementBytes;

    /// <summary>
    /// Causal attention probabilities of sequences of this many queries (0: none): rows come in blocks of that many, and
    /// element (r, c) with c &gt; r mod <see cref="CausalSequence"/> is masked. It is zero by definition and never read by
    /// the program, so the lowering may leave it unwritten (docs/architecture.md, Causal attention); <see cref="Read"/>
    /// returns 0 there.
    /// </summary>
    public int CausalSequence { get; init; }

    /// <summary>Whether element (<paramref name="row"/>, <paramref name="col"/>) is masked (<see cref="CausalSequence"/>).</summary>
    public bool Masked(int row, int col) => CausalSequence > 0 && col > row % CausalSequence;

    /// <summary>First byte past the region.</summary>
    public long EndAddress => Address + ((Rows - 1) * StrideBytes) + RowBytes(Cols);

    /// <summary>Reads the tensor out of a DRAM image as a dense row-major array of element values (masked elements: 0).</summary>
    public long[] Read(ReadOnlySpan<byte> dram)
    {
        var values = new long[(long)Rows * Cols];
        for (var r = 0; r < Rows; r++)
        {
            for (var c = 0; c < Cols; c++)
            {
                if (Masked(r, c))
                {
                    continue;
                }

                var at = checked((int)(Address + (r * StrideBytes) + ByteOffset(c)));
                values[((long)r * Cols) + c] = Dtype switch
                {
                    ElementType.Int8 => (sbyte)dram[at],
                    ElementType.Int4 => (sbyte)((sbyte)(dram[at] << (c % 2 == 0 ? 4 : 0)) >> 4),
                    ElementType.Int16 => BitConverter.ToInt16(dram.Slice(at, 2)),
                    _ => BitConverter.ToInt32(dram.Slice(at, 4)),
                };
            }
        }

        return values;
    }
}
