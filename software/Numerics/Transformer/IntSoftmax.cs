namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Integer-only Softmax over one row (I-BERT's i-exp with an exact-ln2 internal format), optionally causally masked.
/// The hardware sees a row as blocks of COLS elements and makes three passes; each pass is one of the public
/// functions below, and because max and integer sums are associative the result does not depend on the blocking:
/// <list type="number">
/// <item><see cref="Max"/>: <c>m = max q_j</c> over the unmasked elements (int32).</item>
/// <item><see cref="Exp"/> of <c>q_j − m</c> for each unmasked element, summed: <c>Σ</c> (int64, &lt; 2^43 for 4096 elements).</item>
/// <item><see cref="Reciprocal"/> <c>R = ⌊2^60/Σ⌋</c> once per row (one division per row, none per element), then
/// <see cref="Normalize"/> each element: <c>out = min(127, (e·R + 2^52) &gt;&gt; 53)</c>, scale 2^-7.</item>
/// </list>
/// Masked elements (causal: column j &gt; row + offset) are left out of the max and the sum and produce 0.
/// A fully masked row produces all zeros.
/// </summary>
public static class IntSoftmax
{
    /// <summary>
    /// i-exp of <c>d = q − max</c> (d ≤ 0, int64, |d| &lt; 2^32), in units of <see cref="IntSoftmaxConstants.ExpScale"/>:
    /// <code>
    /// t    = (d·M + 2^(sh−1)) &gt;&gt; sh            // int64, ≤ 0   (|d·M| &lt; 2^63)
    /// u    = min(−t, (MaxZ+1)·2^F − 1)         // 0..507903, uint19
    /// z    = u &gt;&gt; F,  f = u mod 2^F            // z 0..30 (uint5), f uint14
    /// v    = Qb − f                            // 15614..31997, uint15
    /// poly = v·v + Qc                          // 780001215..1560012228 &lt; 2^31, uint31
    /// e    = poly &gt;&gt; z                         // uint31
    /// </code>
    /// </summary>
    public static long Exp(long d, IntSoftmaxConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var t = FixedPoint.RoundShift(d * c.Input.Multiplier, c.Input.Shift);
        var u = Math.Min(-t, IntSoftmaxConstants.MaxMagnitude);
        var z = (int)(u >> IntSoftmaxConstants.FracBits);
        var f = u & ((1L << IntSoftmaxConstants.FracBits) - 1);
        var v = IntSoftmaxConstants.PolyB - f;
        var poly = (v * v) + IntSoftmaxConstants.PolyC;
        return poly >> z;
    }

    /// <summary>Pass 1 over one block: the running maximum of the first <paramref name="valid"/> elements.</summary>
    public static int Max(ReadOnlySpan<int> block, int valid, int runningMax = int.MinValue)
    {
        var m = runningMax;
        var n = Math.Clamp(valid, 0, block.Length);
        for (var j = 0; j < n; j++)
        {
            m = Math.Max(m, block[j]);
        }

        return m;
    }

    /// <summary>Pass 2 over one block: the running int64 sum of i-exp of the first <paramref name="valid"/> elements.</summary>
    public static long SumExp(ReadOnlySpan<int> block, int valid, int max, IntSoftmaxConstants c, long runningSum = 0)
    {
        var s = runningSum;
        var n = Math.Clamp(valid, 0, block.Length);
        for (var j = 0; j < n; j++)
        {
            s += Exp((long)block[j] - max, c);
        }

        return s;
    }

    /// <summary><c>R = ⌊2^60 / Σ⌋</c>. For an unmasked row Σ ≥ poly(0) = 1560012228, so R &lt; 2^30 (int32).</summary>
    public static long Reciprocal(long sum)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sum);
        return (1L << IntSoftmaxConstants.ReciprocalBits) / sum;
    }

    /// <summary>Pass 3, one element: <c>min(127, (e·R + 2^52) &gt;&gt; 53)</c> (e &lt; 2^31, R &lt; 2^30, product &lt; 2^61).</summary>
    public static sbyte Normalize(long e, long reciprocal)
    {
        var shift = IntSoftmaxConstants.ReciprocalBits - IntSoftmaxConstants.OutputFracBits;
        return (sbyte)Math.Min(FixedPoint.RoundShift(e * reciprocal, shift), sbyte.MaxValue);
    }

    /// <summary>Softmax of a row whose first <paramref name="valid"/> elements take part; the rest produce 0.</summary>
    public static void Apply(ReadOnlySpan<int> row, Span<sbyte> output, IntSoftmaxConstants c, int valid)
        => ApplyBlocked(row, output, c, valid, Math.Max(1, row.Length));

    /// <summary>Softmax of a whole row.</summary>
    public static void Apply(ReadOnlySpan<int> row, Span<sbyte> output, IntSoftmaxConstants c)
        => Apply(row, output, c, row.Length);

    /// <summary>
    /// Causally masked softmax of row <paramref name="rowIndex"/>: column j takes part when <c>j ≤ rowIndex + offset</c>
    /// (offset = number of earlier cached keys; 0 for a plain square mask).
    /// </summary>
    public static void ApplyCausal(ReadOnlySpan<int> row, Span<sbyte> output, IntSoftmaxConstants c, int rowIndex, int offset = 0)
        => Apply(row, output, c, CausalValid(row.Length, rowIndex, offset));

    /// <summary>Number of leading columns that a causal mask keeps: <c>clamp(rowIndex + offset + 1, 0, width)</c>.</summary>
    public static int CausalValid(int width, int rowIndex, int offset)
        => (int)Math.Clamp((long)rowIndex + offset + 1, 0, width);

    /// <summary>
    /// The hardware schedule: the row is processed in blocks of <paramref name="blockWidth"/> (the array's COLS) with
    /// three passes (max, Σ i-exp, normalize). The result equals <see cref="Apply(ReadOnlySpan{int}, Span{sbyte}, IntSoftmaxConstants, int)"/>
    /// for every block width.
    /// </summary>
    public static void ApplyBlocked(ReadOnlySpan<int> row, Span<sbyte> output, IntSoftmaxConstants c, int valid, int blockWidth)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockWidth);
        if (output.Length < row.Length)
        {
            throw new ArgumentException($"the output has {output.Length} elements, the row {row.Length}", nameof(output));
        }

        var n = Math.Clamp(valid, 0, row.Length);
        output[..row.Length].Clear();
        if (n == 0)
        {
            return;
        }

        var max = int.MinValue;
        for (var b = 0; b < n; b += blockWidth)
        {
            max = Max(row[b..Math.Min(row.Length, b + blockWidth)], n - b, max);
        }

        var sum = 0L;
        for (var b = 0; b < n; b += blockWidth)
        {
            sum = SumExp(row[b..Math.Min(row.Length, b + blockWidth)], n - b, max, c, sum);
        }

        var r = Reciprocal(sum);
        for (var j = 0; j < n; j++)
        {
            output[j] = Normalize(Exp((long)row[j] - max, c), r);
        }
    }
}
