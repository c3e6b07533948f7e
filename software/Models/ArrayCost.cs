namespace HwGen.Models;

/// <summary>
/// What a <see cref="QuantScheme"/> costs the int8 array: a GEMM operand wider than 8 bits is split into int8 slices
/// (16 bits = 2), and a GEMM takes one full pass of its MACs per pair of slices. Weights are always int8; the Softmax
/// output is 8 bits.
/// </summary>
public static class ArrayCost
{
    /// <summary>
    /// Int8 array passes per useful MAC over sentences of the given token counts (1.0 = int8 operands everywhere;
    /// 16-bit FFN inputs give about 1.66), or null when the scheme keeps a GEMM operand in float (not a hardware format).
    /// </summary>
    public static double? PassesPerMac(EncoderModel model, QuantScheme scheme, IEnumerable<int> tokenCounts)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(tokenCounts);
        if (scheme.ActivationBits is not { } act || scheme.FfnInputBits is not { } ffn || scheme.GeluOutputBits is not { } gelu)
        {
            return null;
        }

        var a = Slices(act);
        var f1 = Slices(ffn);
        var f2 = Slices(gelu);
        double useful = 0, passes = 0;
        foreach (var n in tokenCounts)
        {
            foreach (var l in model.Layers)
            {
                double h = model.Hidden, width = l.AttentionWidth, inner = l.FfnWidth;
                void Gemm(double macs, int slices)
                {
                    useful += macs;
                    passes += macs * slices;
                }

                Gemm(n * h * 3 * width, a);                 // Q, K, V projections: int8 weights, input at ActivationBits
                Gemm((double)n * n * width, a * a);         // QKᵀ: both operands at ActivationBits
                Gemm((double)n * n * width, a);             // probabilities (8 bits) · V
                Gemm(n * width * h, a);                     // output projection of the context
                Gemm(n * h * inner, f1);                    // FFN1 of the LayerNorm output (FfnInputBits)
                Gemm(n * inner * h, f2);                    // FFN2 of the GELU output (GeluOutputBits)
            }
        }

        return useful > 0 ? passes / useful : 1.0;
    }

    private static int Slices(int bits) => (bits + 7) / 8;
}
