namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Constants of the residual add (<c>normalize func=add</c>, the pre-LN Transformer's <c>x + sublayer(x)</c>) for one set
/// of scales (floating point only here).
/// <list type="bullet">
/// <item>Input x: int32 (or int8) with scale <see cref="InputScale"/>. Optional residual r: int32 (or int8) with its own
/// scale, aligned to x's scale by <see cref="Residual"/> ≈ S_r/S_x, exactly as LayerNorm aligns its residual.</item>
/// <item>Output int8 with scale <see cref="OutputScale"/>, requantized by <see cref="Output"/> ≈ S_x/S_out (the store
/// path's 31-bit multiplier, round half up, saturate).</item>
/// </list>
/// </summary>
/// <param name="InputScale">Real scale of x.</param>
/// <param name="Residual">Alignment of the residual to the input scale, or null when there is none.</param>
/// <param name="OutputScale">Real scale of the int8 output.</param>
/// <param name="Output">Requantization from the sum (units of S_x) to the output.</param>
public sealed record IntResidualAddConstants(double InputScale, Requantization? Residual, double OutputScale, Requantization Output)
{
    /// <summary>Derives the constants.</summary>
    /// <param name="inputScale">Real scale of x.</param>
    /// <param name="residualScale">Real scale of the residual, or null for none.</param>
    /// <param name="outputScale">Real scale of the int8 output.</param>
    /// <exception cref="ArgumentOutOfRangeException">A scale is not positive and finite, or a ratio does not fit a 31-bit multiplier.</exception>
    public static IntResidualAddConstants FromScales(double inputScale, double? residualScale, double outputScale)
    {
        ScaleChecks.RequirePositive(inputScale, nameof(inputScale));
        ScaleChecks.RequirePositive(outputScale, nameof(outputScale));
        var residual = ScaleChecks.ResidualAlignment(inputScale, residualScale, nameof(residualScale));

        return new IntResidualAddConstants(inputScale, residual, outputScale, Requantizer.FromScale(inputScale / outputScale));
    }
}
