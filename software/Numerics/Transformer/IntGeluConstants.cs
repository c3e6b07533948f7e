namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Constants of the I-GELU unit for one input scale (floating point is used here only; the kernel
/// <see cref="IntGelu"/> is integer-only). With <c>S' = S/√2</c>, <c>a = -0.2888</c>, <c>b = -1.769</c>:
/// <list type="bullet">
/// <item><see cref="ClipMagnitude"/> <c>Qb = round(-b/S')</c> (I-BERT's <c>-q_b</c>).</item>
/// <item><see cref="Offset"/> <c>Qc = round(1/(|a|·S'²))</c> (I-BERT's <c>-q_c</c>); always <c>Qc &gt; Qb²</c>.</item>
/// <item><see cref="ErfShift"/> <c>n = max(0, bitlen(Qc) - 15)</c>: the overflow-safe shift, chosen from the scale
/// so that the shifted erf term has 15 bits (I-BERT fixes n = 14, which leaves no bits at int8 scales).</item>
/// <item><see cref="One"/> <c>= round_half_up(Qc / 2^n)</c>: the integer that represents erf = 1, so the
/// sigmoid term <c>sig = One + sgn(q)·E_n</c> is exactly 0 at −∞ and 2·One at +∞.</item>
/// <item><see cref="Output"/>: the dyadic requantization of <c>h = q·sig</c> (real value <c>h·S/(2·One)</c>)
/// to int8 with scale <see cref="OutputScale"/>, with a 15-bit multiplier so that the int64 product cannot overflow.</item>
/// </list>
/// </summary>
/// <param name="InputScale">Real scale S of the input integers.</param>
/// <param name="OutputScale">Real scale of the int8 output.</param>
/// <param name="ClipMagnitude">Qb, 2..2^30.</param>
/// <param name="Offset">Qc, below 2^62.</param>
/// <param name="ErfShift">n, 0..47.</param>
/// <param name="One">The integer for erf = 1, below 2^15 + 1.</param>
/// <param name="Output">Multiplier (below 2^15) and shift of the output requantization.</param>
public sealed record IntGeluConstants(
    double InputScale,
    double OutputScale,
    long ClipMagnitude,
    long Offset,
    int ErfShift,
    long One,
    Requantization Output)
{
    /// <summary>I-BERT's erf polynomial coefficient a.</summary>
    public const double A = -0.2888;

    /// <summary>I-BERT's erf clipping point b.</summary>
    public const double B = -1.769;

    /// <summary>Bits kept in the shifted erf term (<c>Qc &gt;&gt; n &lt; 2^ErfBits</c>).</summary>
    public const int ErfBits = 15;

    /// <summary>Width of the output multiplier: <c>|h| &lt; 2^47</c> and <c>multiplier &lt; 2^15</c> keep <c>h·multiplier</c> below 2^62.</summary>
    public const int OutputMultiplierBits = 15;

    /// <summary>Real value of one unit of <c>h = q·sig</c>: <c>S / (2·One)</c>.</summary>
    public double ProductScale => InputScale / (2.0 * One);

    /// <summary>Derives the constants from the input scale and the int8 output scale.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A scale is not positive and finite, or the input scale is outside
    /// the range where <c>2 ≤ Qb ≤ 2^30</c> and <c>Qc &gt; Qb²</c> (about 2.3e-9 ≤ S ≤ 0.5).</exception>
    public static IntGeluConstants FromScale(double inputScale, double outputScale)
    {
        if (!double.IsFinite(inputScale) || inputScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, "the GELU input scale must be positive and finite");
        }

        if (!double.IsFinite(outputScale) || outputScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(outputScale), outputScale, "the GELU output scale must be positive and finite");
        }

        var sPrime = inputScale / Math.Sqrt(2.0);
        var qb = Math.Round(-B / sPrime, MidpointRounding.AwayFromZero);
        if (qb < 2 || qb > (1L << 30))
        {
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, $"the GELU input scale gives Qb = {qb}; it must be within 2..2^30 (scale about 2.3e-9..1.2)");
        }

        var qc = (long)Math.Round(1.0 / (-A * sPrime * sPrime), MidpointRounding.AwayFromZero);
        var qbi = (long)qb;
        if (qc <= qbi * qbi)
        {
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, $"the GELU input scale {inputScale} is too coarse (Qc = {qc} must exceed Qb² = {qbi * qbi}); use a scale of at most 0.5");
        }

        var n = Math.Max(0, FixedPoint.BitLength((ulong)qc) - ErfBits);
        var one = FixedPoint.RoundShift(qc, n);
        var output = FixedPoint.DyadicFromScale(inputScale / (2.0 * one * outputScale), OutputMultiplierBits);
        return new IntGeluConstants(inputScale, outputScale, qbi, qc, n, one, output);
    }
}
