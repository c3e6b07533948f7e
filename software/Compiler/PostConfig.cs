using HwGen.Generator.Isa;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Compiler;

/// <summary>The <c>config_post</c> sequences that set up each store-path unit, as IR instructions (no tokens).</summary>
internal static class PostConfig
{
    /// <summary>The I-GELU constants.</summary>
    public static IEnumerable<PendingInstruction> Gelu(IntGeluConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        yield return PendingInstruction.ConfigPost(PostRegister.GeluClip, c.ClipMagnitude);
        yield return PendingInstruction.ConfigPost(PostRegister.GeluOffset, c.Offset);
        yield return PendingInstruction.ConfigPost(PostRegister.GeluErfShift, c.ErfShift);
        yield return PendingInstruction.ConfigPost(PostRegister.GeluOne, c.One);
        yield return PendingInstruction.ConfigPost(PostRegister.GeluOutMult, c.Output.Multiplier);
        yield return PendingInstruction.ConfigPost(PostRegister.GeluOutShift, c.Output.Shift);
    }

    /// <summary>The Softmax input conversion.</summary>
    public static IEnumerable<PendingInstruction> Softmax(IntSoftmaxConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        yield return PendingInstruction.ConfigPost(PostRegister.SoftmaxMult, c.Input.Multiplier);
        yield return PendingInstruction.ConfigPost(PostRegister.SoftmaxShift, c.Input.Shift);
    }

    /// <summary>
    /// The LayerNorm constants and γ/β's accumulator row (which also empties the unit's γ/β cache, so the next LayerNorm
    /// reads them), and ln_residual cleared (set it per normalize with <see cref="ResidualRow"/>).
    /// </summary>
    public static IEnumerable<PendingInstruction> LayerNorm(IntLayerNormConstants c, long affineRow)
    {
        ArgumentNullException.ThrowIfNull(c);
        yield return PendingInstruction.ConfigPost(PostRegister.LnResMult, c.Residual?.Multiplier ?? 0);
        yield return PendingInstruction.ConfigPost(PostRegister.LnResShift, c.Residual?.Shift ?? 0);
        yield return PendingInstruction.ConfigPost(PostRegister.LnOutMult, c.Output.Multiplier);
        yield return PendingInstruction.ConfigPost(PostRegister.LnOutShift, c.Output.Shift);
        yield return PendingInstruction.ConfigPost(PostRegister.LnAffine, affineRow);
        yield return ResidualRow(null);
    }

    /// <summary>
    /// <c>config_post ln_in_shift</c>: the per-column LayerNorm input rescale (F2), 0 = off. The multipliers are the high
    /// 16 bits of γ's accumulator words. It stays set for later LayerNorms until written again.
    /// </summary>
    public static PendingInstruction LayerNormInputShift(int shift) => PendingInstruction.ConfigPost(PostRegister.LnInShift, shift);

    /// <summary>
    /// The LayerNorm unit's column mode: <c>ln_in_shift</c> (the input multipliers' shift) and <c>ln_res_shift</c> (the
    /// per-column residual multipliers'), or <c>ln_in_shift</c> 0 (one scale per tensor) for null. Writing ln_in_shift
    /// empties the γ/β cache, so it goes after <see cref="LayerNorm"/>'s constants and before the normalize.
    /// </summary>
    public static IEnumerable<PendingInstruction> LayerNormColumns((int InShift, int ResidualShift)? columns)
    {
        yield return LayerNormInputShift(columns?.InShift ?? 0);
        if (columns is { } c)
        {
            yield return PendingInstruction.ConfigPost(PostRegister.LnResShift, c.ResidualShift);
        }
    }

    /// <summary><c>config_post gelu_cols</c>: the accumulator row of the per-column GELU constants of the next <c>store func=gelu_col</c>.</summary>
    public static PendingInstruction GeluColumns(long row) => PendingInstruction.ConfigPost(PostRegister.GeluCols, row);

    /// <summary>The accumulator row of the per-column multipliers of the next <c>store col_mult=1</c>.</summary>
    public static PendingInstruction RequantColumns(long row) => PendingInstruction.ConfigPost(PostRegister.RequantCols, row);

    /// <summary>The residual alignment (shared with LayerNorm) and output requantization of a residual add.</summary>
    public static IEnumerable<PendingInstruction> ResidualAdd(IntResidualAddConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        yield return PendingInstruction.ConfigPost(PostRegister.LnResMult, c.Residual?.Multiplier ?? 0);
        yield return PendingInstruction.ConfigPost(PostRegister.LnResShift, c.Residual?.Shift ?? 0);
        yield return PendingInstruction.ConfigPost(PostRegister.AddOutMult, c.Output.Multiplier);
        yield return PendingInstruction.ConfigPost(PostRegister.AddOutShift, c.Output.Shift);
    }

    /// <summary>
    /// <c>config_post ln_residual</c>: the accumulator row of block 0 of residual row 0 (block-major like the input: block
    /// b of row r at residualRow + b·rows + r), or null for no residual. Used by LayerNorm and add.
    /// </summary>
    public static PendingInstruction ResidualRow(long? residualRow) =>
        PendingInstruction.ConfigPost(PostRegister.LnResidual, residualRow is { } r ? 1 + r : 0);
}
