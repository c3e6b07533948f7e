namespace HwGen.Software.Numerics;

/// <summary>
/// int32 → int8 requantization, defined once (docs/numerics.md). The golden simulator uses
/// <see cref="Apply"/>; the compiler uses <see cref="FromScale"/> to pick the constants.
/// </summary>
public static class Requantizer
{
    /// <summary>Largest legal multiplier, 2^31 - 1.</summary>
    public const long MaxMultiplier = int.MaxValue;

    /// <summary>Largest legal shift.</summary>
    public const int MaxShift = 62;

    /// <summary>
    /// <c>p = (int64)acc * multiplier; r = shift == 0 ? p : (p + 2^(shift-1)) &gt;&gt; shift</c> (arithmetic shift, so
    /// ties round toward +∞); then saturate to [-128, 127], or [0, 127] with ReLU.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Multiplier or shift outside the hardware range.</exception>
    public static sbyte Apply(int acc, long multiplier, int shift, bool relu)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(multiplier);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(multiplier, MaxMultiplier);
        ArgumentOutOfRangeException.ThrowIfNegative(shift);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shift, MaxShift);

        // |acc| <= 2^31 and multiplier < 2^31, so |p| <= 2^62 and p + 2^61 cannot overflow.
        var p = acc * multiplier;
        var r = shift == 0 ? p : (p + (1L << (shift - 1))) >> shift;
        var lo = relu ? 0L : sbyte.MinValue;
        return (sbyte)Math.Clamp(r, lo, sbyte.MaxValue);
    }

    /// <summary>
    /// Chooses (multiplier, shift) for a real scale s ≥ 0: <c>multiplier = round(s·2^shift)</c> (half away from zero),
    /// with the largest shift ≤ 62 that keeps <c>multiplier &lt; 2^31</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">s is negative, not finite, or ≥ 2^31 - 0.5 (no shift fits).</exception>
    public static Requantization FromScale(double scale, bool relu = false)
    {
        if (!double.IsFinite(scale) || scale < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the requantization scale must be finite and non-negative");
        }

        for (var shift = MaxShift; shift >= 0; shift--)
        {
            var m = Math.Round(Math.ScaleB(scale, shift), MidpointRounding.AwayFromZero);
            if (m <= MaxMultiplier)
            {
                return new Requantization((long)m, shift, relu);
            }
        }

        throw new ArgumentOutOfRangeException(nameof(scale), scale, "the requantization scale is too large for a 31-bit multiplier with shift 0");
    }

    /// <summary>
    /// Per-column requantizations (<c>store col_mult</c>) for real scales s_j ≥ 0 sharing one shift, config_store's: the
    /// shift <see cref="FromScale"/> picks for the largest s_j, and <c>multiplier_j = round(s_j·2^shift)</c> (half away from
    /// zero), all below 2^31.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A scale that is negative, not finite or too large (see <see cref="FromScale"/>).</exception>
    public static Requantization[] FromScales(IReadOnlyList<double> scales, bool relu = false)
    {
        ArgumentNullException.ThrowIfNull(scales);
        foreach (var s in scales)
        {
            FromScale(s);
        }

        // s_j <= max s, so every multiplier is at most the largest one, which FromScale keeps below 2^31.
        var shift = FromScale(scales.Max(), relu).Shift;
        return scales.Select(s => new Requantization((long)Math.Round(Math.ScaleB(s, shift), MidpointRounding.AwayFromZero), shift, relu)).ToArray();
    }
}
