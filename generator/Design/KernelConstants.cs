namespace HwGen.Generator.Design;

/// <summary>
/// The fixed integer constants of the row units (Softmax, LayerNorm), defined once. The C# kernels
/// (<c>software/Numerics/Transformer/IntSoftmaxConstants</c>, <c>IntLayerNormConstants</c>) alias
/// them, and the RTL templates render them as the parameter defaults of <c>hwgen_softmax</c> and
/// <c>hwgen_layernorm</c> (templates see this class as <c>k</c>, snake_case). They live in the
/// generator because the software project references the generator, not the other way round
/// (docs/numerics.md, "Where the constants live").
/// </summary>
public static class KernelConstants
{
    /// <summary>Softmax: fraction bits F of the internal format, unit <c>ln2/2^F</c>, so <c>q_ln2 = 2^F</c>.</summary>
    public const int SoftmaxFracBits = 14;

    /// <summary>Softmax: largest exponent shift z (I-BERT's clamp).</summary>
    public const int SoftmaxMaxZ = 30;

    /// <summary>Softmax: polynomial <c>Qb = round(B·2^F/ln2)</c> with I-BERT's B = 0.96963238 / (2·0.35815147).</summary>
    public const long SoftmaxPolyB = 31997;

    /// <summary>Softmax: polynomial <c>Qc = round((C/A)·(2^F/ln2)²)</c> with I-BERT's A and C = 1 − A·B².</summary>
    public const long SoftmaxPolyC = 536204219;

    /// <summary>Softmax: the reciprocal of the row sum is <c>⌊2^ReciprocalBits / Σ⌋</c>.</summary>
    public const int SoftmaxReciprocalBits = 60;

    /// <summary>Softmax: the output is int8 with scale 2^-OutputFracBits.</summary>
    public const int SoftmaxOutputFracBits = 7;

    /// <summary>
    /// Late-normalized Softmax (normalize func softmax_late): the output pass uses this constant in place of the
    /// reciprocal, <c>round(127·2^53 / (Qb² + Qc))</c>, so the row maximum gives exactly 127 (IntLateSoftmax).
    /// </summary>
    public const long SoftmaxLateReciprocal = 733272653;

    /// <summary>
    /// Late-normalized Softmax: a row's P·V multiplier is <c>⌊softmax_pv_mult·2^SoftmaxLateRowShift / Σu⌋</c> (below 2^30
    /// since Σu ≥ 127), and the store of that output row shifts by this much more (IntLateSoftmax.RowMultiplier).
    /// </summary>
    public const int SoftmaxLateRowShift = 5;

    /// <summary>LayerNorm: deviations are shifted to at most this many magnitude bits before squaring.</summary>
    public const int LayerNormDeviationBits = 25;

    /// <summary>LayerNorm: <c>factor = ⌊2^FactorBits / σ⌋</c>.</summary>
    public const int LayerNormFactorBits = 53;

    /// <summary>LayerNorm: fraction bits of the normalized value u (Q1.30).</summary>
    public const int LayerNormNormFracBits = 30;

    /// <summary>LayerNorm: fraction bits of β and of the pre-rounding output, in output LSBs.</summary>
    public const int LayerNormBetaFracBits = 8;

    /// <summary>LayerNorm: width of the output multiplier (<c>|u·γ·M| &lt; 2^62</c>).</summary>
    public const int LayerNormOutputMultiplierBits = 17;

    /// <summary>
    /// Every constant above as a property of the same name, the object the templates see as <c>k</c>
    /// (Scriban reads instance properties, not constants). A test checks that none is missing.
    /// </summary>
    public static object TemplateValues { get; } = new
    {
        SoftmaxFracBits,
        SoftmaxMaxZ,
        SoftmaxPolyB,
        SoftmaxPolyC,
        SoftmaxReciprocalBits,
        SoftmaxOutputFracBits,
        SoftmaxLateReciprocal,
        SoftmaxLateRowShift,
        LayerNormDeviationBits,
        LayerNormFactorBits,
        LayerNormNormFracBits,
        LayerNormBetaFracBits,
        LayerNormOutputMultiplierBits,
    };
}
