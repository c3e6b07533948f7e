using HwGen.Generator.Design;

namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Constants of the Softmax unit for one input scale. The input is an int32 row (QKᵀ accumulators) whose real
/// value is <c>q·S</c> with <c>S = accumulatorScale · attentionScale</c> (the 1/√d of attention is folded in here).
/// <para>
/// i-exp works in an internal fixed-point format whose unit is <c>S_i = ln2 / 2^F</c> (F = <see cref="FracBits"/>),
/// so that I-BERT's <c>q_ln2</c> is exactly 2^F: <c>z</c> and <c>p</c> of <c>x = −ln2·z + p</c> are then just the
/// high and low bit fields of the (negated) converted input, and ln2 carries no rounding error. The conversion
/// <c>t = round_half_up((q − max)·M / 2^sh)</c> uses the store path's dyadic multiplier for <c>S / S_i</c>.
/// </para>
/// <para>
/// The polynomial is I-BERT's <c>exp(p) ≈ 0.35815147·p² + 0.96963238·p + 1 = A·(p + B)² + C</c> with
/// <c>A = 0.35815147</c>, <c>B = 0.96963238/(2A) = 1.3536624</c>, <c>C = 1 − A·B² = 0.3437225</c> (the rounded
/// 0.3585·(p + 1.353)² + 0.344 of the paper's text has max error 2.13e-3 instead of 1.91e-3). In integers it becomes
/// <c>(r + Qb)² + Qc</c> with <c>Qb = round(B/S_i)</c> and <c>Qc = round(C/(A·S_i²))</c>; its unit is <c>A·S_i²</c>.
/// </para>
/// </summary>
/// <param name="InputScale">Real scale S of the input integers, attention scale included.</param>
/// <param name="Input">Dyadic multiplier (below 2^31) and shift for <c>S / S_i</c>.</param>
public sealed record IntSoftmaxConstants(double InputScale, Requantization Input)
{
    /// <summary>Fraction bits F of the internal format: unit <c>ln2/2^F</c>, so <c>q_ln2 = 2^F</c>.</summary>
    public const int FracBits = KernelConstants.SoftmaxFracBits;

    /// <summary>Largest exponent shift z (I-BERT's clamp): exp(x) for x &lt; −(MaxZ+1)·ln2 is taken at that point.</summary>
    public const int MaxZ = KernelConstants.SoftmaxMaxZ;

    /// <summary>Largest magnitude of the converted input: <c>(MaxZ + 1)·2^F − 1</c>, so z ≤ MaxZ.</summary>
    public const long MaxMagnitude = ((MaxZ + 1L) << FracBits) - 1;

    /// <summary>I-BERT's polynomial coefficient A (<c>exp(p) ≈ A·(p + B)² + C</c>).</summary>
    public const double PolyA = 0.35815147;

    /// <summary>I-BERT's B = 0.96963238 / (2A).</summary>
    public const double PolyBReal = 0.96963238 / (2 * PolyA);

    /// <summary>I-BERT's C = 1 − A·B².</summary>
    public const double PolyCReal = 1.0 - (PolyA * PolyBReal * PolyBReal);

    /// <summary><c>Qb = round(B·2^F/ln2)</c> = 31997.</summary>
    public const long PolyB = KernelConstants.SoftmaxPolyB;

    /// <summary><c>Qc = round((C/A)·(2^F/ln2)²)</c> = 536204219.</summary>
    public const long PolyC = KernelConstants.SoftmaxPolyC;

    /// <summary>The reciprocal of the row sum is <c>⌊2^ReciprocalBits / Σ⌋</c>.</summary>
    public const int ReciprocalBits = KernelConstants.SoftmaxReciprocalBits;

    /// <summary>The output is int8 with scale 2^-OutputFracBits (0..127; a probability of 1 saturates to 127).</summary>
    public const int OutputFracBits = KernelConstants.SoftmaxOutputFracBits;

    /// <summary>Real value of one output LSB, 2^-7.</summary>
    public const double OutputScale = 1.0 / (1 << OutputFracBits);

    /// <summary>Real value of one unit of the internal format, <c>ln2/2^F</c>.</summary>
    public static double InternalScale => Math.Log(2.0) / (1 << FracBits);

    /// <summary>Real value of one unit of an i-exp result (before the row normalization), <c>A·S_i²</c>.</summary>
    public static double ExpScale => PolyA * InternalScale * InternalScale;

    /// <summary>Derives the constants from the accumulator scale and the attention scale (e.g. 1/√d).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A scale is not positive and finite, or their product is so large
    /// (above about 9e4) that no 31-bit multiplier fits.</exception>
    public static IntSoftmaxConstants FromScale(double accumulatorScale, double attentionScale = 1.0)
    {
        if (!double.IsFinite(accumulatorScale) || accumulatorScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(accumulatorScale), accumulatorScale, "the softmax input scale must be positive and finite");
        }

        if (!double.IsFinite(attentionScale) || attentionScale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(attentionScale), attentionScale, "the attention scale must be positive and finite");
        }

        var s = accumulatorScale * attentionScale;
        return new IntSoftmaxConstants(s, Requantizer.FromScale(s / InternalScale));
    }
}
