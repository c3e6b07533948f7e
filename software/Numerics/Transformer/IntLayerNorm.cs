namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Integer-only LayerNorm over one row of width n (1..4096), with an optional residual add. The mean is kept exact:
/// instead of rounding μ = Σ/n, the unit works with <c>d_j = n·h_j − Σ = n·(h_j − μ)</c>, which needs no division
/// and carries no rounding error. Three passes (each can run over blocks of COLS elements):
/// <code>
/// pass 0 (per element)  h   = sat32(x + ((r·Mr + 2^(shr−1)) &gt;&gt; shr))      // residual aligned to x's scale
/// pass 1 (accumulate)   Σ   = Σ h (int64), lo = min h, hi = max h (int32)
///   shift s = bitlen(n·(hi − lo)) − 25                                   // −25..19
/// pass 2 (accumulate)   d   = n·h − Σ (int64, |d| &lt; 2^44)
///                       ds  = s &gt; 0 ? (d + 2^(s−1)) &gt;&gt; s : d &lt;&lt; −s      // |ds| ≤ 2^25
///                       Q   = Σ ds² (int64, ≤ 4096·2^50 = 2^62)
///   σ = isqrt(Q) (bit-serial, uint32); factor = σ == 0 ? 0 : ⌊2^53/σ⌋ (≤ 2^30)
/// pass 3 (per element)  u   = (ds·factor + 2^22) &gt;&gt; 23                   // Q1.30, |u| ≤ 2^30
///                       p   = u·γ (int64, |p| ≤ 2^45)
///                       w   = (p·M + 2^(sh−1)) &gt;&gt; sh                     // units S_out/2^8, M &lt; 2^17
///                       out = sat8((w + β + 2^7) &gt;&gt; 8)
/// </code>
/// The real value of u is <c>(h − μ)/(σ_h·√n)</c>, so <c>ẑ = u·√n·2^-30</c>; σ = 0 (a constant row, or n = 1)
/// gives u = 0 and the output β.
/// </summary>
public static class IntLayerNorm
{
    /// <summary>Residual add: <c>sat32(x + round_half_up(r·Mr / 2^shr))</c>; x alone when there is no residual (<see cref="IntResidualAdd.Sum"/>).</summary>
    public static int AddResidual(int x, int r, IntLayerNormConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return IntResidualAdd.Sum(x, r, c.Residual);
    }

    /// <summary>
    /// The per-column input rescale (<c>ln_in_shift</c> ≠ 0): <c>sat32(round_half_up(x·m / 2^shift))</c> with the
    /// column's unsigned 16-bit multiplier m; x unchanged when <paramref name="shift"/> is 0. It brings the columns of a
    /// projection quantized per output channel to one scale before the residual add and the statistics.
    /// </summary>
    public static int ScaleInput(int x, ushort multiplier, int shift)
        => shift == 0 ? x : FixedPoint.SaturateInt32(FixedPoint.RoundShift((long)x * multiplier, shift));

    /// <summary>The deviation shift for a row: <c>bitlen(n·(hi − lo)) − 25</c>.</summary>
    public static int DeviationShift(int width, int min, int max)
    {
        var range = (ulong)((long)max - min);
        return FixedPoint.BitLength((ulong)width * range) - IntLayerNormConstants.DeviationBits;
    }

    /// <summary>The scaled deviation <c>ds</c> of one element.</summary>
    public static long ScaledDeviation(int h, long sum, int width, int shift)
    {
        var d = ((long)width * h) - sum;
        return shift > 0 ? FixedPoint.RoundShift(d, shift) : d << -shift;
    }

    /// <summary>Passes 1 and 2 over the whole row: Σ, min, max, shift, Q, σ and the factor.</summary>
    public static IntLayerNormStatistics Statistics(ReadOnlySpan<int> h)
    {
        if (h.IsEmpty || h.Length > IntLayerNormConstants.MaxWidth)
        {
            throw new ArgumentException($"the row width must be 1..{IntLayerNormConstants.MaxWidth}, got {h.Length}", nameof(h));
        }

        var n = h.Length;
        var sum = 0L;
        var lo = int.MaxValue;
        var hi = int.MinValue;
        foreach (var v in h)
        {
            sum += v;
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }

        var shift = DeviationShift(n, lo, hi);
        var q = 0L;
        foreach (var v in h)
        {
            var ds = ScaledDeviation(v, sum, n, shift);
            q += ds * ds;
        }

        var sigma = IntegerSqrt.FloorSqrt((ulong)q);
        var factor = sigma == 0 ? 0L : (1L << IntLayerNormConstants.FactorBits) / sigma;
        return new IntLayerNormStatistics(sum, lo, hi, shift, q, sigma, factor);
    }

    /// <summary>Pass 3, first half: <c>u = round_half_up(ds·factor / 2^23)</c>, Q1.30.</summary>
    public static int Normalize(long scaledDeviation, long factor)
        => (int)FixedPoint.RoundShift(scaledDeviation * factor, IntLayerNormConstants.FactorBits - IntLayerNormConstants.NormFracBits);

    /// <summary>Pass 3, second half: <c>out = sat8(round_half_up((round_half_up(u·γ·M / 2^sh) + β) / 2^8))</c>.</summary>
    public static sbyte Affine(int u, short gamma, int beta, IntLayerNormConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var p = (long)u * gamma;
        var w = FixedPoint.RoundShift(p * c.Output.Multiplier, c.Output.Shift);
        return FixedPoint.SaturateInt8(FixedPoint.RoundShift(w + beta, IntLayerNormConstants.BetaFracBits));
    }

    /// <summary>
    /// Pass 3, wide output (<c>normalize wide</c>): <c>sat16(round_half_up(u·γ·M / 2^sh) + β)</c>, the element at
    /// <c>S_out/2^8</c>; <see cref="FixedPoint.NarrowWide"/> of it is the int8 <see cref="Affine"/> output.
    /// </summary>
    public static short AffineWide(int u, short gamma, int beta, IntLayerNormConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var p = (long)u * gamma;
        var w = FixedPoint.RoundShift(p * c.Output.Multiplier, c.Output.Shift);
        return FixedPoint.SaturateInt16(w + beta);
    }

    /// <summary>
    /// The normalized row u (Q1.30) after the optional residual add; <paramref name="residual"/> may be empty.
    /// Returns the row statistics.
    /// </summary>
    public static IntLayerNormStatistics Normalized(ReadOnlySpan<int> x, ReadOnlySpan<int> residual, Span<int> u, IntLayerNormConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (x.Length != c.Width)
        {
            throw new ArgumentException($"the row has {x.Length} elements, the constants were derived for {c.Width}", nameof(x));
        }

        if (!residual.IsEmpty && residual.Length != x.Length)
        {
            throw new ArgumentException($"the residual has {residual.Length} elements, the row {x.Length}", nameof(residual));
        }

        if (u.Length < x.Length)
        {
            throw new ArgumentException($"the output has {u.Length} elements, the row {x.Length}", nameof(u));
        }

        var h = new int[x.Length];
        for (var j = 0; j < x.Length; j++)
        {
            h[j] = residual.IsEmpty ? x[j] : AddResidual(x[j], residual[j], c);
        }

        var stats = Statistics(h);
        for (var j = 0; j < h.Length; j++)
        {
            u[j] = Normalize(ScaledDeviation(h[j], stats.Sum, h.Length, stats.Shift), stats.Factor);
        }

        return stats;
    }

    /// <summary>
    /// LayerNorm of one row to int8: optional residual add, normalize, γ (int16) and β (int32, units S_out/2^8).
    /// <paramref name="residual"/> may be empty (no residual).
    /// </summary>
    public static IntLayerNormStatistics Apply(
        ReadOnlySpan<int> x,
        ReadOnlySpan<int> residual,
        ReadOnlySpan<short> gamma,
        ReadOnlySpan<int> beta,
        Span<sbyte> output,
        IntLayerNormConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (gamma.Length != x.Length || beta.Length != x.Length || output.Length < x.Length)
        {
            throw new ArgumentException($"γ ({gamma.Length}), β ({beta.Length}) and the output ({output.Length}) must match the row width {x.Length}", nameof(gamma));
        }

        if (!residual.IsEmpty && c.Residual is null)
        {
            throw new ArgumentException("a residual was given but the constants have no residual scale", nameof(residual));
        }

        var u = new int[x.Length];
        var stats = Normalized(x, residual, u, c);
        for (var j = 0; j < x.Length; j++)
        {
            output[j] = Affine(u[j], gamma[j], beta[j], c);
        }

        return stats;
    }
}
