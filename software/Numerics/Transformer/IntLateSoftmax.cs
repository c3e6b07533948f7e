namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Late-normalized Softmax, the kernel chosen for long sequences (issue 13; docs/numerics.md, "Softmax for long
/// sequences"): the output pass divides by the row's maximum instead of its sum, so every element keeps 7 bits relative
/// to the largest one however long the row, and the division by the sum moves to the P·V output row (HeadDim elements
/// instead of Seq). Per element, with e the i-exp of <see cref="IntSoftmax.Exp"/> (e = poly(0) at the row maximum):
/// <code>
/// u = min(127, (e·L + 2^52) &gt;&gt; 53)      L = round(127·2^53 / poly(0)), so the maximum gives exactly 127
/// Σu = Σ u over the row                 exact, ≤ 127·4096 &lt; 2^19; ≥ 127 for a row with an unmasked element
/// </code>
/// P·V then runs on u (unsigned 0..127, the same int8 operand as today's P) and each output row is divided by its Σu,
/// so the effective probabilities u/Σu sum to exactly 1. It is the existing output pass with a constant in place of the
/// reciprocal ⌊2^60/Σe⌋, and Σu is an adder tree over the outputs.
/// </summary>
public static class IntLateSoftmax
{
    /// <summary>poly(0) = Qb² + Qc: i-exp at the row maximum.</summary>
    public const long ExpAtMax = ((long)IntSoftmaxConstants.PolyB * IntSoftmaxConstants.PolyB) + IntSoftmaxConstants.PolyC;

    /// <summary>The largest output: the row maximum's.</summary>
    public const int MaxOutput = sbyte.MaxValue;

    /// <summary>The constant in place of the reciprocal: <c>round(127·2^53 / poly(0))</c> (below 2^30, like the reciprocal).</summary>
    public const long Reciprocal = HwGen.Generator.Design.KernelConstants.SoftmaxLateReciprocal;

    /// <summary>The extra shift of a row's P·V multiplier (<see cref="RowMultiplier"/>).</summary>
    public const int RowShift = HwGen.Generator.Design.KernelConstants.SoftmaxLateRowShift;

    /// <summary>
    /// A row's P·V output multiplier, <c>⌊pvMultiplier·2^RowShift / Σu⌋</c> (0 for a fully masked row): the store of the
    /// row's P·V output (store func requant_row) requantizes with it and the P·V shift + <see cref="RowShift"/>, which
    /// divides the row by Σu. Below 2^30 for any pvMultiplier below 2^31, since Σu ≥ 127 when any element takes part.
    /// </summary>
    public static long RowMultiplier(long sum, long pvMultiplier)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sum);
        return sum == 0 ? 0 : (pvMultiplier << RowShift) / sum;
    }

    /// <summary>
    /// The P·V requantization of late normalization from the layer's P·V requantization <paramref name="o"/> (which takes P
    /// at scale 2^-7): the same multiplier, 7 bits less shift, since u/Σu carries no 2^-7.
    /// </summary>
    public static Requantization PvRequantization(Requantization o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var shift = o.Shift - IntSoftmaxConstants.OutputFracBits;
        if (shift < 0 || shift + RowShift > Requantizer.MaxShift)
        {
            throw new ArgumentException($"the P·V requantization shift {o.Shift} leaves no room for late normalization (needs {IntSoftmaxConstants.OutputFracBits}..{Requantizer.MaxShift + IntSoftmaxConstants.OutputFracBits - RowShift})", nameof(o));
        }

        return o with { Shift = shift };
    }

    /// <summary>The requantization of a P·V output row: <paramref name="pv"/>'s with the row multiplier for Σu and the extra shift.</summary>
    public static Requantization RowRequantization(Requantization pv, long sum)
    {
        ArgumentNullException.ThrowIfNull(pv);
        return pv with { Multiplier = RowMultiplier(sum, pv.Multiplier), Shift = pv.Shift + RowShift };
    }

    /// <summary>
    /// One row: writes u for the first <paramref name="valid"/> elements (0 for the rest) and returns Σu (0 for a fully
    /// masked row).
    /// </summary>
    public static long Apply(ReadOnlySpan<int> row, Span<sbyte> output, IntSoftmaxConstants c, int valid) =>
        ApplyAgainst(row, output, c, valid, IntSoftmax.Max(row, Math.Clamp(valid, 0, row.Length)));

    /// <summary>
    /// The output pass of one row or one chunk of a row's keys against a given row maximum <paramref name="max"/> (key-blocked
    /// attention: the maximum over all the row's keys, found by a first pass over every chunk): writes u for the first
    /// <paramref name="valid"/> elements (0 for the rest) and returns their Σu. With max the maximum over the whole row,
    /// the chunks' u are the unblocked row's and their Σu add up to its Σu.
    /// </summary>
    public static long ApplyAgainst(ReadOnlySpan<int> row, Span<sbyte> output, IntSoftmaxConstants c, int valid, int max)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (output.Length < row.Length)
        {
            throw new ArgumentException("the output is shorter than the row", nameof(output));
        }

        var n = Math.Clamp(valid, 0, row.Length);
        output[..row.Length].Clear();
        long sum = 0;
        for (var j = 0; j < n; j++)
        {
            var u = IntSoftmax.Normalize(IntSoftmax.Exp((long)row[j] - max, c), Reciprocal);
            output[j] = u;
            sum += u;
        }

        return sum;
    }
}
