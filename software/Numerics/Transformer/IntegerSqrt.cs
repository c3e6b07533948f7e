namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Exact ⌊√n⌋ by the bit-serial restoring method: 32 fixed iterations over a 64-bit radicand, each a compare,
/// a conditional subtract and two shifts. This is the definition the LayerNorm unit's RTL implements
/// (one iteration per cycle, or unrolled); it never divides.
/// </summary>
public static class IntegerSqrt
{
    /// <summary>Number of iterations (result bits) for a 64-bit radicand.</summary>
    public const int Iterations = 32;

    /// <summary>
    /// ⌊√n⌋ for any 64-bit unsigned n. Registers: remainder <c>rem</c> (uint64), partial root <c>root</c> (uint64,
    /// at most 33 bits wide during the loop), trial bit <c>bit</c> = 4^(31-i) at iteration i.
    /// <code>
    /// rem = n; root = 0; bit = 1 &lt;&lt; 62
    /// repeat 32 times:
    ///   if rem ≥ root + bit: rem -= root + bit; root = (root &gt;&gt; 1) + bit
    ///   else:                root = root &gt;&gt; 1
    ///   bit &gt;&gt;= 2
    /// result = root
    /// </code>
    /// </summary>
    public static uint FloorSqrt(ulong n)
    {
        var rem = n;
        var root = 0UL;
        var bit = 1UL << 62;
        for (var i = 0; i < Iterations; i++)
        {
            var trial = root + bit;
            if (rem >= trial)
            {
                rem -= trial;
                root = (root >> 1) + bit;
            }
            else
            {
                root >>= 1;
            }

            bit >>= 2;
        }

        return (uint)root;
    }
}
