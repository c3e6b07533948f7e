using HwGen.Software.Programs;

namespace HwGen.Software.Graph;

/// <summary>
/// A DRAM tensor of an operator graph: an int8 or int16 matrix (<see cref="Values"/> or <see cref="WideValues"/>
/// row-major; null for an output, which starts poisoned), or int32 vectors laid out as accumulator rows (<see cref="Vectors"/>: biases, γ/β).
/// </summary>
/// <param name="Name">Name in reports and dumps (unique in the graph).</param>
/// <param name="Role">Input or output.</param>
/// <param name="Rows">Rows of the matrix (0 for vectors).</param>
/// <param name="Cols">Columns of the matrix (0 for vectors).</param>
/// <param name="Values">Row-major int8 values of an input matrix.</param>
/// <param name="Vectors">Vectors of equal length (block b of vector v becomes accumulator row b·count + v).</param>
public sealed record GraphTensor(string Name, TensorRole Role, int Rows, int Cols, sbyte[]? Values = null, int[][]? Vectors = null)
{
    /// <summary>An input matrix.</summary>
    public static GraphTensor Input(string name, int rows, int cols, sbyte[] values) => new(name, TensorRole.Input, rows, cols, values);

    /// <summary>An output matrix (the program writes it).</summary>
    public static GraphTensor Output(string name, int rows, int cols) => new(name, TensorRole.Output, rows, cols);

    /// <summary>An int16 matrix (the 16-bit residual stream): an input with <paramref name="values"/>, or an output when null.</summary>
    public static GraphTensor Wide(string name, int rows, int cols, short[]? values) =>
        new(name, values is null ? TensorRole.Output : TensorRole.Input, rows, cols) { Element = ElementType.Int16, WideValues = values };

    /// <summary>
    /// The element type of a matrix: int8, int16 (<see cref="Wide"/>), or int4 (an input whose <see cref="Values"/> lie in
    /// -8..7, packed two a byte in DRAM and read with <c>load int4</c>: int4 weights, docs/numerics.md).
    /// </summary>
    public ElementType Element { get; init; } = ElementType.Int8;

    /// <summary>
    /// A tensor an earlier program left in the DRAM image this program starts from (a token-pruned stack's previous
    /// output, docs/pruning.md): read where it lies, neither placed nor filled; null: placed by this program.
    /// </summary>
    public TensorRegion? Carried { get; init; }

    /// <summary>
    /// An int8 or int4 weight matrix stored column block by column block (docs/decode.md, "Blocked weights"): block j holds
    /// columns j·COLS.. of every row, COLS elements a row (COLS bytes, or COLS/2 for int4; the last block zero-padded), so the K rows of one column block,
    /// what a GEMM loads as its B block, are one contiguous run of DRAM the load unit reads in long bursts. Only GEMM B
    /// operands from row 0, column 0 may use it; false: row-major.
    /// </summary>
    public bool Blocked { get; init; }

    /// <summary>The placed region's <see cref="TensorRegion.CausalSequence"/>: causal probabilities whose masked elements may stay unwritten.</summary>
    public int CausalSequence { get; init; }

    /// <summary>Row-major int16 values of an int16 input matrix.</summary>
    public short[]? WideValues { get; init; }

    /// <summary>Input vectors as accumulator rows (a bias: one vector; LayerNorm: γ then β).</summary>
    public static GraphTensor Rowwise(string name, params int[][] vectors) => new(name, TensorRole.Input, 0, 0, null, vectors);
}
