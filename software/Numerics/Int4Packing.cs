namespace HwGen.Software.Numerics;

/// <summary>
/// Signed 4-bit elements packed two per byte, as <c>load int4=1</c> reads them: element 2i in the low nibble of byte i,
/// element 2i+1 in the high nibble. A nibble is two's complement, -8..7, and is sign-extended to int8 on load.
/// </summary>
public static class Int4Packing
{
    /// <summary>The smallest int4 value.</summary>
    public const int Min = -8;

    /// <summary>The largest int4 value.</summary>
    public const int Max = 7;

    /// <summary>Bytes a row of <paramref name="elements"/> int4 elements takes: ceil(elements / 2).</summary>
    public static long RowBytes(long elements) => (elements + 1) / 2;

    /// <summary>Nibble <paramref name="half"/> (0 = low, even element; 1 = high, odd element) of a byte, sign-extended.</summary>
    public static sbyte Unpack(byte packed, int half) => (sbyte)((sbyte)(packed << (half == 0 ? 4 : 0)) >> 4);

    /// <summary>Element <paramref name="index"/> of a packed row (byte index / 2, nibble index mod 2), sign-extended.</summary>
    public static sbyte Element(ReadOnlySpan<sbyte> row, int index) => Unpack((byte)row[index / 2], index % 2);

    /// <summary>Writes <paramref name="value"/> (-8..7) into nibble <paramref name="half"/> of <paramref name="packed"/>, keeping the other nibble.</summary>
    public static byte Pack(byte packed, int half, sbyte value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, Min);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Max);
        var shift = half == 0 ? 0 : 4;
        return (byte)((packed & ~(0xF << shift)) | ((value & 0xF) << shift));
    }
}
