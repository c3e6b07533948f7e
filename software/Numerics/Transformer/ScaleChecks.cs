namespace HwGen.Software.Numerics.Transformer;

/// <summary>Scale checks and the residual alignment the LayerNorm and residual-add kernels share.</summary>
internal static class ScaleChecks
{
    /// <summary>Throws unless <paramref name="value"/> is a positive, finite scale.</summary>
    public static void RequirePositive(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "the scale must be positive and finite");
        }
    }

    /// <summary>The dyadic multiplier that brings the residual (scale <paramref name="residualScale"/>) to x's scale, or null without a residual.</summary>
    public static Requantization? ResidualAlignment(double inputScale, double? residualScale, string name)
    {
        if (residualScale is not { } rs)
        {
            return null;
        }

        RequirePositive(rs, name);
        return Requantizer.FromScale(rs / inputScale);
    }
}
