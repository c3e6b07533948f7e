namespace HwGen.Software.Layers;

/// <summary>
/// Structured pruning of a layer's weights (Kwon et al., 2022): a pruned head's Q, K and V columns and its rows of the
/// output projection go, as do a pruned filter's W1 column, b1 entry and W2 row. What is left is an ordinary, smaller
/// layer: attention of kept_heads·HeadDim columns and an FFN of kept_filters, on the same residual stream.
/// </summary>
public static class LayerPruning
{
    /// <summary>
    /// The layer <paramref name="spec"/> with weights <paramref name="w"/> after <paramref name="mask"/>: the pruned shape
    /// and the gathered weights (the input is kept as it is).
    /// </summary>
    /// <exception cref="ArgumentException">A mask that does not fit the layer (<see cref="LayerMask.Check"/>).</exception>
    public static (LayerSpec Spec, LayerWeights Weights) Apply(LayerSpec spec, LayerWeights w, LayerMask mask)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Check(spec.Name, spec.Heads, spec.Ffn) is { } error)
        {
            throw new ArgumentException(error, nameof(mask));
        }

        var columns = HeadColumns(mask.Heads, spec.HeadDim);
        int h = spec.Hidden, a = spec.AttentionWidth, f = spec.Ffn;
        var pruned = w with
        {
            Wq = GatherColumns(w.Wq, h, a, columns), Bq = GatherColumns(w.Bq, 1, a, columns),
            Wk = GatherColumns(w.Wk, h, a, columns), Bk = GatherColumns(w.Bk, 1, a, columns),
            Wv = GatherColumns(w.Wv, h, a, columns), Bv = GatherColumns(w.Bv, 1, a, columns),
            Wo = GatherRows(w.Wo, h, columns),
            W1 = GatherColumns(w.W1, h, f, mask.Filters), B1 = GatherColumns(w.B1, 1, f, mask.Filters),
            W2 = GatherRows(w.W2, h, mask.Filters),
        };
        return (spec.Prune(mask.Heads.Count, mask.Filters.Count), pruned);
    }

    /// <summary>The columns of Q (K, V, O) that heads <paramref name="heads"/> of width <paramref name="headDim"/> own, in order.</summary>
    public static int[] HeadColumns(IReadOnlyList<int> heads, int headDim)
    {
        ArgumentNullException.ThrowIfNull(heads);
        var c = new int[heads.Count * headDim];
        for (var i = 0; i < heads.Count; i++)
        {
            for (var t = 0; t < headDim; t++)
            {
                c[(i * headDim) + t] = (heads[i] * headDim) + t;
            }
        }

        return c;
    }

    /// <summary>Columns <paramref name="keep"/> of the row-major <paramref name="rows"/>×<paramref name="cols"/> matrix <paramref name="m"/>.</summary>
    public static T[] GatherColumns<T>(ReadOnlySpan<T> m, int rows, int cols, IReadOnlyList<int> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        if (m.Length != rows * cols)
        {
            throw new ArgumentException($"a {rows}x{cols} matrix has {rows * cols} values, not {m.Length}", nameof(m));
        }

        var y = new T[rows * keep.Count];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < keep.Count; j++)
            {
                y[(r * keep.Count) + j] = m[(r * cols) + keep[j]];
            }
        }

        return y;
    }

    /// <summary>Rows <paramref name="keep"/> of the row-major matrix <paramref name="m"/> of <paramref name="cols"/> columns.</summary>
    public static T[] GatherRows<T>(ReadOnlySpan<T> m, int cols, IReadOnlyList<int> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        var y = new T[keep.Count * cols];
        for (var j = 0; j < keep.Count; j++)
        {
            m.Slice(keep[j] * cols, cols).CopyTo(y.AsSpan(j * cols, cols));
        }

        return y;
    }
}
