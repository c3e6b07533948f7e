namespace HwGen.Models;

/// <summary>An immutable row-major float32 matrix (a weight, an embedding table, or a one-row vector).</summary>
public sealed class FloatMatrix
{
    private readonly float[] data;

    /// <summary>Wraps a copy of <paramref name="values"/> as a <paramref name="rows"/>×<paramref name="cols"/> matrix.</summary>
    public FloatMatrix(int rows, int cols, ReadOnlySpan<float> values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if ((long)rows * cols != values.Length)
        {
            throw new ArgumentException($"a {rows}x{cols} matrix needs {(long)rows * cols} values, got {values.Length}", nameof(values));
        }

        Rows = rows;
        Cols = cols;
        data = values.ToArray();
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>All elements, row-major.</summary>
    public ReadOnlySpan<float> Data => data;

    /// <summary>One element.</summary>
    public float this[int row, int col] => data[(row * Cols) + col];

    /// <summary>One row.</summary>
    public ReadOnlySpan<float> Row(int row) => data.AsSpan(row * Cols, Cols);

    /// <summary>A vector (one row) from values.</summary>
    public static FloatMatrix Vector(ReadOnlySpan<float> values) => new(1, values.Length, values);
}
