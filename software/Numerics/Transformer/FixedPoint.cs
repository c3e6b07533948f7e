namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// The integer primitives the Transformer units are written in. Each one is a single, fully specified
/// operation on two's-complement values so that RTL can reproduce it exactly (docs/numerics.md).
/// </summary>
public static class FixedPoint
{
    /// <summary>
    /// Round-half-up right shift of an int64: <c>shift == 0 ? x : (x + 2^(shift-1)) &gt;&gt; shift</c> with an arithmetic
    /// shift, so ties go toward +∞ (the store path's rounding). The caller guarantees <c>x + 2^(shift-1)</c> fits int64.
    /// </summary>
    public static long RoundShift(long x, int shift)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shift);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shift, 62);
        return shift == 0 ? x : (x + (1L << (shift - 1))) >> shift;
    }

    /// <summary>Saturates an int64 to int8.</summary>
    public static sbyte SaturateInt8(long x) => (sbyte)Math.Clamp(x, sbyte.MinValue, sbyte.MaxValue);

    /// <summary>Saturates an int64 to int16.</summary>
    public static short SaturateInt16(long x) => (short)Math.Clamp(x, short.MinValue, short.MaxValue);

    /// <summary>
    /// The int8 operand of a 16-bit element (<c>load elem16</c> into the scratchpad): <c>sat8((v + 2^7) &gt;&gt; 8)</c>,
    /// the element at 256 times the scale, rounded half up.
    /// </summary>
    public static sbyte NarrowWide(short v) => SaturateInt8((v + 128) >> 8);

    /// <summary>Saturates an int64 to int32.</summary>
    public static int SaturateInt32(long x) => (int)Math.Clamp(x, int.MinValue, int.MaxValue);

    /// <summary>Number of bits needed to write a non-negative value (0 → 0, 1 → 1, 2^k → k + 1).</summary>
    public static int BitLength(ulong x) => 64 - System.Numerics.BitOperations.LeadingZeroCount(x);

    /// <summary>
    /// Chooses a dyadic pair <c>(multiplier, shift)</c> for a real scale s ≥ 0 with a multiplier narrower than the
    /// store path's: <c>multiplier = round(s·2^shift)</c> (half away from zero) with the largest shift ≤ 62 that keeps
    /// <c>multiplier &lt; 2^multiplierBits</c>. Used where the operand is wider than int32 so that the int64 product
    /// cannot overflow.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The scale is negative, not finite, or too large for the multiplier.</exception>
    public static Requantization DyadicFromScale(double scale, int multiplierBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(multiplierBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(multiplierBits, 31);
        if (!double.IsFinite(scale) || scale < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the scale must be finite and non-negative");
        }

        var limit = (1L << multiplierBits) - 1;
        for (var shift = Requantizer.MaxShift; shift >= 0; shift--)
        {
            var m = Math.Round(Math.ScaleB(scale, shift), MidpointRounding.AwayFromZero);
            if (m <= limit)
            {
                return new Requantization((long)m, shift, false);
            }
        }

        throw new ArgumentOutOfRangeException(nameof(scale), scale, $"the scale does not fit a {multiplierBits}-bit multiplier with shift 0");
    }
}
