namespace HwGen.Models;

/// <summary>
/// The accelerator's stores that can rescale per output column (a multiplier/shift row loaded like the bias row), so
/// the projections feeding them may have one int8 weight scale per output channel. The study's hardware features
/// F1–F3 (docs/numerics.md, "Real models: quantization study"); a store without the feature has one scale per tensor.
/// </summary>
[Flags]
public enum PerColumnStores
{
    /// <summary>Every store rescales with one multiplier/shift (today's datapath).</summary>
    None = 0,

    /// <summary>F1: the plain requantizing stores of the Q, K and V projections.</summary>
    Requantize = 1,

    /// <summary>F2: the LayerNorm unit's int32 input rescaled per column, so the output projection and FFN2 (which
    /// feed LayerNorms) may be per channel.</summary>
    LayerNormInput = 2,

    /// <summary>F3: the GELU store with per-column input and output constants: FFN1 per channel, and the GELU output
    /// may be stored at one scale per column (which <see cref="QuantScheme.GeluSmoothAlpha"/> folds into FFN2's rows).</summary>
    Gelu = 4,

    /// <summary>All of them: per-channel weights everywhere.</summary>
    All = Requantize | LayerNormInput | Gelu,
}
