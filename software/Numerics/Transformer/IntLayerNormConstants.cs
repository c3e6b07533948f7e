using HwGen.Generator.Design;

namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Constants of the LayerNorm unit for one row width and one set of scales (floating point only here).
/// <list type="bullet">
/// <item>Input x: int32 with scale <see cref="InputScale"/>. Optional residual r: int32 (or int8) with its own scale,
/// aligned to the input scale by the store path's dyadic multiplier <see cref="Residual"/> ≈ S_r/S_x.</item>
/// <item>γ: int16 per channel with one real scale <see cref="GammaScale"/>. β: int32 per channel in units of
/// <c>S_out/2^8</c> (<see cref="BetaFracBits"/> fraction bits of an output LSB).</item>
/// <item>The normalized value u is Q1.30 (|u| ≤ 1, real value <c>u·√n·2^-30</c>); the output stage requantizes
/// <c>u·γ</c> to units of <c>S_out/2^8</c> with <see cref="Output"/> ≈ <c>√n·S_γ·2^-22/S_out</c> (17-bit multiplier).</item>
/// </list>
/// </summary>
/// <param name="Width">Row width n, 1..4096.</param>
/// <param name="InputScale">Real scale of x.</param>
/// <param name="Residual">Alignment of the residual to the input scale, or null when there is none.</param>
/// <param name="GammaScale">Real scale of the int16 γ.</param>
/// <param name="OutputScale">Real scale of the int8 output.</param>
/// <param name="Output">Multiplier (below 2^17) and shift from <c>u·γ</c> to units of <c>S_out/2^8</c>.</param>
public sealed record IntLayerNormConstants(
    int Width,
    double InputScale,
    Requantization? Residual,
    double GammaScale,
    double OutputScale,
    Requantization Output)
{
    /// <summary>Widest row the overflow analysis covers.</summary>
    public const int MaxWidth = 4096;

    /// <summary>Deviations are shifted to at most this many magnitude bits before squaring: <c>|ds| ≤ 2^25</c>.</summary>
    public const int DeviationBits = KernelConstants.LayerNormDeviationBits;

    /// <summary><c>factor = ⌊2^FactorBits / σ⌋</c>.</summary>
    public const int FactorBits = KernelConstants.LayerNormFactorBits;

    /// <summary>Fraction bits of the normalized value u (Q1.30).</summary>
    public const int NormFracBits = KernelConstants.LayerNormNormFracBits;

    /// <summary>Fraction bits of β and of the pre-rounding output, in output LSBs.</summary>
    public const int BetaFracBits = KernelConstants.LayerNormBetaFracBits;

    /// <summary>Width of the output multiplier: <c>|u·γ| ≤ 2^45</c>, so <c>|u·γ·M| &lt; 2^62</c>.</summary>
    public const int OutputMultiplierBits = KernelConstants.LayerNormOutputMultiplierBits;

    /// <summary>Derives the constants.</summary>
    /// <param name="width">Row width, 1..4096.</param>
    /// <param name="inputScale">Real scale of x.</param>
    /// <param name="residualScale">Real scale of the residual, or null for none.</param>
    /// <param name="gammaScale">Real scale of the int16 γ (see <see cref="QuantizeGamma"/>).</param>
    /// <param name="outputScale">Real scale of the int8 output.</param>
    /// <exception cref="ArgumentOutOfRangeException">A width or scale is out of range.</exception>
    public static IntLayerNormConstants FromScales(int width, double inputScale, double? residualScale, double gammaScale, double outputScale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, MaxWidth);
        ScaleChecks.RequirePositive(inputScale, nameof(inputScale));
        ScaleChecks.RequirePositive(gammaScale, nameof(gammaScale));
        ScaleChecks.RequirePositive(outputScale, nameof(outputScale));
        var residual = ScaleChecks.ResidualAlignment(inputScale, residualScale, nameof(residualScale));

        var real = Math.Sqrt(width) * gammaScale * Math.ScaleB(1.0, BetaFracBits - NormFracBits) / outputScale;
        return new IntLayerNormConstants(width, inputScale, residual, gammaScale, outputScale, FixedPoint.DyadicFromScale(real, OutputMultiplierBits));
    }

    /// <summary>Symmetric int16 quantization of γ: scale <c>max|γ|/32767</c> (1 for all zeros), round half away from zero.</summary>
    public static (short[] Values, double Scale) QuantizeGamma(ReadOnlySpan<double> gamma)
    {
        var max = 0.0;
        foreach (var g in gamma)
        {
            max = Math.Max(max, Math.Abs(g));
        }

        var scale = max > 0 ? max / short.MaxValue : 1.0;
        var q = new short[gamma.Length];
        for (var i = 0; i < gamma.Length; i++)
        {
            q[i] = (short)Math.Clamp(Math.Round(gamma[i] / scale, MidpointRounding.AwayFromZero), -short.MaxValue, short.MaxValue);
        }

        return (q, scale);
    }

    /// <summary>Quantization of β to int32 in units of <c>S_out/2^8</c>, round half away from zero, saturating.</summary>
    public static int[] QuantizeBeta(ReadOnlySpan<double> beta, double outputScale)
    {
        ScaleChecks.RequirePositive(outputScale, nameof(outputScale));
        var unit = outputScale / (1 << BetaFracBits);
        var q = new int[beta.Length];
        for (var i = 0; i < beta.Length; i++)
        {
            q[i] = (int)Math.Clamp(Math.Round(beta[i] / unit, MidpointRounding.AwayFromZero), int.MinValue, int.MaxValue);
        }

        return q;
    }
}
