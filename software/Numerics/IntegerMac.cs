namespace HwGen.Software.Numerics;

/// <summary>The array's arithmetic: int8 × int8 products (exact int16) summed in int32 with two's-complement wrap-around.</summary>
public static class IntegerMac
{
    /// <summary><c>acc + a·b</c>, wrapping at 32 bits.</summary>
    public static int Mac(int acc, sbyte a, sbyte b) => unchecked(acc + (a * b));

    /// <summary>Wrapping int32 addition (bias and accumulate modes).</summary>
    public static int Add(int x, int y) => unchecked(x + y);

    /// <summary>Dot product of two int8 vectors with wrapping int32 accumulation, starting at <paramref name="init"/>.</summary>
    public static int Dot(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, int init = 0)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("vectors differ in length", nameof(b));
        }

        var acc = init;
        for (var i = 0; i < a.Length; i++)
        {
            acc = Mac(acc, a[i], b[i]);
        }

        return acc;
    }
}
