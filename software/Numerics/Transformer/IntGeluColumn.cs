namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// The per-column constants of the GELU store <c>store func=gelu_col</c> (one lane of the two accumulator rows
/// <c>gelu_cols</c> and <c>gelu_cols + 1</c>), and the kernel that uses them. Per element q (int32) of column j:
/// <code>
/// q'  = sat32((q·mi + 2^(si−1)) &gt;&gt; si)               // input rescale to the tensor's GELU scale; q when si = 0
/// h   = q'·sig(q')                                   // IntGelu.Product with the gelu_* registers
/// out = sat8(((h·mo + 2^(so−1)) &gt;&gt; so) + z)           // per-column output scale and zero point
/// </code>
/// Encoding, lane j: row <c>gelu_cols</c> holds <c>mi</c> (uint16) in bits 0..15 and <c>si</c> (0..47) in bits 16..21;
/// row <c>gelu_cols + 1</c> holds <c>mo</c> (below 2^15) in bits 0..14, <c>so</c> (0..62) in bits 16..21 and <c>z</c>
/// (int8) in bits 24..31. Other bits are ignored. With mi ≤ 2^16 and si ≤ 47 the product fits int64 (|q·mi| &lt; 2^47);
/// with mo &lt; 2^15, |h·mo| &lt; 2^62 as for the per-tensor GELU store.
/// </summary>
/// <param name="InMultiplier">mi, the input rescale multiplier.</param>
/// <param name="InShift">si, 0..47.</param>
/// <param name="OutMultiplier">mo, below 2^15.</param>
/// <param name="OutShift">so, 0..62.</param>
/// <param name="ZeroPoint">z, added after the output rounding, before saturation.</param>
public sealed record IntGeluColumn(ushort InMultiplier, int InShift, int OutMultiplier, int OutShift, sbyte ZeroPoint)
{
    /// <summary>Largest input shift.</summary>
    public const int MaxInShift = 47;

    /// <summary>Constants that leave the input as it is and apply the per-tensor output requantization, zero point 0.</summary>
    public static IntGeluColumn Identity(Requantization output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return new IntGeluColumn(1, 0, (int)output.Multiplier, output.Shift, 0);
    }

    /// <summary>Decodes lane j's two 32-bit words (rows <c>gelu_cols</c> and <c>gelu_cols + 1</c>).</summary>
    public static IntGeluColumn Decode(int inWord, int outWord)
    {
        var ui = (uint)inWord;
        var uo = (uint)outWord;
        return new IntGeluColumn(
            (ushort)(ui & 0xFFFF),
            (int)((ui >> 16) & 0x3F),
            (int)(uo & 0x7FFF),
            (int)((uo >> 16) & 0x3F),
            (sbyte)(byte)(uo >> 24));
    }

    /// <summary>The two 32-bit words of this lane.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is outside its range.</exception>
    public (int InWord, int OutWord) Encode()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(InShift);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(InShift, MaxInShift);
        ArgumentOutOfRangeException.ThrowIfNegative(OutMultiplier);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(OutMultiplier, (1 << IntGeluConstants.OutputMultiplierBits) - 1);
        ArgumentOutOfRangeException.ThrowIfNegative(OutShift);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(OutShift, Requantizer.MaxShift);
        var inWord = InMultiplier | (InShift << 16);
        var outWord = (uint)OutMultiplier | ((uint)OutShift << 16) | ((uint)(byte)ZeroPoint << 24);
        return (inWord, (int)outWord);
    }

    /// <summary>The input after the per-column rescale.</summary>
    public int ScaleInput(int q) => FixedPoint.SaturateInt32(FixedPoint.RoundShift((long)q * InMultiplier, InShift));

    /// <summary>GELU of one int32 input of this column, to int8.</summary>
    public sbyte Apply(int q, IntGeluConstants c)
    {
        var h = IntGelu.Product(ScaleInput(q), c);
        return FixedPoint.SaturateInt8(FixedPoint.RoundShift(h * OutMultiplier, OutShift) + ZeroPoint);
    }
}
