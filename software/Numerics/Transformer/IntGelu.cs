namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Integer-only GELU (I-GELU, Kim et al. 2021) with the overflow-safe shift. Per element, for an int32 input q:
/// <code>
/// a   = |q|                                  // uint32 (|−2^31| = 2^31)
/// t   = min(a, Qb)                           // ≤ 2^30
/// d   = Qb − t                               // 0..Qb, uint31
/// E   = Qc − d·d                             // int64, 0 &lt; E ≤ Qc &lt; 2^62
/// En  = clamp((E + 2^(n−1)) &gt;&gt; n, 0, One)     // (E if n = 0); ≤ One ≤ 2^15
/// sig = One + (q ≥ 0 ? En : −En)            // 0..2·One ≤ 2^16, uint17
/// h   = q · sig                              // int64, |h| ≤ 2^47
/// out = sat8((h·M + 2^(sh−1)) &gt;&gt; sh)         // M &lt; 2^15, |h·M| &lt; 2^62
/// </code>
/// The real value of h is <c>h·S/(2·One)</c> ≈ GELU(q·S).
/// For constants from <see cref="IntGeluConstants.FromScale"/> the clamp never acts (0 &lt; E ≤ Qc, so 0 ≤ En ≤ One);
/// it bounds the hardware's datapath for any register values a program may set (docs/numerics.md).
/// </summary>
public static class IntGelu
{
    /// <summary>The sigmoid term <c>sig = One ± E_n</c> (0..2·One) that stands for <c>1 + erf(x/√2)</c> in units of 1/One.</summary>
    public static long Sigmoid(int q, IntGeluConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var a = Math.Abs((long)q);
        var t = Math.Min(a, c.ClipMagnitude);
        var d = c.ClipMagnitude - t;
        var e = c.Offset - (d * d);
        var en = Math.Clamp(FixedPoint.RoundShift(e, c.ErfShift), 0, c.One);
        return q >= 0 ? c.One + en : c.One - en;
    }

    /// <summary>The int64 product <c>h = q·sig</c> before output requantization; real value <c>h·ProductScale</c>.</summary>
    public static long Product(int q, IntGeluConstants c) => q * Sigmoid(q, c);

    /// <summary>GELU of one int32 input, requantized to int8 (round half up, saturate).</summary>
    public static sbyte Apply(int q, IntGeluConstants c)
    {
        var h = Product(q, c);
        return FixedPoint.SaturateInt8(FixedPoint.RoundShift(h * c.Output.Multiplier, c.Output.Shift));
    }

    /// <summary>GELU of a vector of int32 inputs (e.g. one accumulator row).</summary>
    public static void Apply(ReadOnlySpan<int> input, Span<sbyte> output, IntGeluConstants c)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException($"the output has {output.Length} elements, the input {input.Length}", nameof(output));
        }

        for (var i = 0; i < input.Length; i++)
        {
            output[i] = Apply(input[i], c);
        }
    }

    /// <summary>GELU of a vector of int8 inputs (the same unit with the input sign-extended to int32).</summary>
    public static void Apply(ReadOnlySpan<sbyte> input, Span<sbyte> output, IntGeluConstants c)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException($"the output has {output.Length} elements, the input {input.Length}", nameof(output));
        }

        for (var i = 0; i < input.Length; i++)
        {
            output[i] = Apply(input[i], c);
        }
    }
}
