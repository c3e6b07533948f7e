using HwGen.Software.Programs;

namespace HwGen.Software.Compiler;

/// <summary>A DRAM operand: a tensor and a byte offset into it (a head's columns, a head's rows).</summary>
internal sealed record Operand(TensorRegion Tensor, long Offset)
{
    /// <summary>
    /// A scattered output (a batched decode step's K and V rows, each sequence's into its own cache rows) or a gathered
    /// input (the kept tokens of a token-pruned stack, docs/pruning.md): operand rows
    /// Row0..Row0+Rows−1 lie at byte offset Offset + (row − Row0)·stride of the tensor; null: rows follow each other from <see cref="Offset"/>.
    /// </summary>
    public IReadOnlyList<(int Row0, int Rows, long Offset)>? Segments { get; init; }

    /// <summary>
    /// A blocked weight matrix (<c>GraphTensor.Blocked</c>): the tensor holds column block j (columns j·Cols.., Cols being
    /// the region's columns) as rows j·BlockRows.. of Cols elements; 0: row-major.
    /// </summary>
    public int BlockRows { get; init; }

    /// <summary>The byte address of element (<paramref name="row"/>, <paramref name="col"/>) from the operand's start (for int4, of the byte that holds it; col is then even).</summary>
    public long Address(int row, int col)
    {
        // A scattered or gathered operand: the row's segment gives the offset (of its first row within each block, when blocked).
        var (offset, r) = Segments?.First(g => row >= g.Row0 && row < g.Row0 + g.Rows) is { } g ? (g.Offset, row - g.Row0) : (Offset, row);
        if (BlockRows == 0)
        {
            return Tensor.Address + offset + (r * Tensor.StrideBytes) + Tensor.ByteOffset(col);
        }

        var (block, within) = Math.DivRem(col, Tensor.Cols);
        return Tensor.Address + offset + (((long)(block * BlockRows) + r) * Tensor.StrideBytes) + Tensor.ByteOffset(within);
    }

    /// <summary>
    /// The operand from its row <paramref name="row"/> and column <paramref name="col"/> on (a head's columns of a cache
    /// from a sequence's first row). A blocked operand moves by whole column blocks, so <paramref name="col"/> must be a
    /// multiple of the block width there.
    /// </summary>
    public Operand Shift(int row, int col)
    {
        if (Segments is not null)
        {
            throw new InvalidOperationException($"tensor {Tensor.Name}: a scattered or gathered operand cannot be shifted");
        }

        if (BlockRows == 0)
        {
            return this with { Offset = Offset + (row * Tensor.StrideBytes) + Tensor.ByteOffset(col) };
        }

        var (block, within) = Math.DivRem(col, Tensor.Cols);
        return within != 0
            ? throw new ArgumentException($"tensor {Tensor.Name}: column {col} is not at a block boundary of the blocked layout")
            : this with { Offset = Offset + (((long)block * BlockRows) + row) * Tensor.StrideBytes };
    }

    /// <summary>Rows <paramref name="m0"/>..<paramref name="m0"/>+<paramref name="rows"/>−1 as runs that lie at one stride: (first row, rows).</summary>
    public IEnumerable<(int M0, int Rows)> Runs(int m0, int rows)
    {
        if (Segments is null)
        {
            yield return (m0, rows);
            yield break;
        }

        foreach (var (r0, n, _) in Segments)
        {
            var (lo, hi) = (Math.Max(r0, m0), Math.Min(r0 + n, m0 + rows));
            if (lo < hi)
            {
                yield return (lo, hi - lo);
            }
        }
    }

    /// <summary>
    /// The row runs of operand rows <paramref name="m0"/>..<paramref name="m0"/>+<paramref name="rows"/>−1 from column
    /// <paramref name="col"/>: (first row within the tile, rows, DRAM address); one run unless the operand is scattered or
    /// gathered (<see cref="Segments"/>), so a load of the tile becomes one load per run.
    /// </summary>
    public IEnumerable<(int At, int Rows, long Address)> Loads(int m0, int rows, int col) =>
        Runs(m0, rows).Select(r => (r.M0 - m0, r.Rows, Address(r.M0, col)));

    /// <summary>True for an int16 tensor, which loads read with <c>elem16</c>.</summary>
    public bool Wide => Tensor.Dtype == ElementType.Int16;

    /// <summary>True when the tensor holds packed int4 elements (loaded with <c>load int4</c>).</summary>
    public bool Int4 => Tensor.Dtype == ElementType.Int4;
}
