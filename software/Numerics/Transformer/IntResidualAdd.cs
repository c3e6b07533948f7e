namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Integer residual add, defined once: the alignment LayerNorm applies to its residual (pass 0 of
/// <see cref="IntLayerNorm"/>) and the one-pass <c>normalize func=add</c> of pre-LN Transformers.
/// <code>
/// h   = sat32(x + ((r·Mr + 2^(shr−1)) &gt;&gt; shr))      // x alone without a residual; r·Mr &lt; 2^62
/// out = sat8((h·M + 2^(sh−1)) &gt;&gt; sh)               // the store path's requantization (M &lt; 2^31), no ReLU
/// </code>
/// Both shifts are arithmetic (round half up); shift 0 means no rounding term.
/// </summary>
public static class IntResidualAdd
{
    /// <summary><c>sat32(x + round_half_up(r·Mr / 2^shr))</c>; x alone when <paramref name="alignment"/> is null.</summary>
    public static int Sum(int x, int r, Requantization? alignment)
    {
        if (alignment is null)
        {
            return x;
        }

        var aligned = FixedPoint.RoundShift(r * alignment.Multiplier, alignment.Shift);
        return FixedPoint.SaturateInt32(x + aligned);
    }

    /// <summary>The int8 output of one element: <c>requant(Sum(x, r))</c> with <see cref="IntResidualAddConstants.Output"/> (no ReLU).</summary>
    public static sbyte Apply(int x, int r, IntResidualAddConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Requantizer.Apply(Sum(x, r, c.Residual), c.Output.Multiplier, c.Output.Shift, relu: false);
    }

    /// <summary>
    /// The int16 output of one element (<c>normalize func=add wide</c>): <c>sat16(round_half_up(Sum(x, r)·M / 2^sh))</c>
    /// with <see cref="IntResidualAddConstants.Output"/>.
    /// </summary>
    public static short ApplyWide(int x, int r, IntResidualAddConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return FixedPoint.SaturateInt16(FixedPoint.RoundShift(Sum(x, r, c.Residual) * c.Output.Multiplier, c.Output.Shift));
    }

    /// <summary>A row: <paramref name="residual"/> may be empty (no residual; then the constants must have none either).</summary>
    public static void Apply(ReadOnlySpan<int> x, ReadOnlySpan<int> residual, Span<sbyte> output, IntResidualAddConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (output.Length < x.Length)
        {
            throw new ArgumentException($"the output has {output.Length} elements, the row {x.Length}", nameof(output));
        }

        if (!residual.IsEmpty && residual.Length != x.Length)
        {
            throw new ArgumentException($"the residual has {residual.Length} elements, the row {x.Length}", nameof(residual));
        }

        if (residual.IsEmpty != (c.Residual is null))
        {
            throw new ArgumentException("the residual and the constants' residual alignment must be given together", nameof(residual));
        }

        for (var j = 0; j < x.Length; j++)
        {
            output[j] = Apply(x[j], residual.IsEmpty ? 0 : residual[j], c);
        }
    }
}
