namespace HwGen.Generator.Isa;

/// <summary>The store unit's post-processing registers set by <c>config_post</c> (<see cref="IsaSpec.PostRegisters"/>; a test keeps names and indices equal).</summary>
public enum PostRegister
{
    /// <summary>gelu_clip.</summary>
    GeluClip = 0,

    /// <summary>gelu_offset.</summary>
    GeluOffset = 1,

    /// <summary>gelu_erf_shift.</summary>
    GeluErfShift = 2,

    /// <summary>gelu_one.</summary>
    GeluOne = 3,

    /// <summary>gelu_out_mult.</summary>
    GeluOutMult = 4,

    /// <summary>gelu_out_shift.</summary>
    GeluOutShift = 5,

    /// <summary>softmax_mult.</summary>
    SoftmaxMult = 6,

    /// <summary>softmax_shift.</summary>
    SoftmaxShift = 7,

    /// <summary>ln_res_mult.</summary>
    LnResMult = 8,

    /// <summary>ln_res_shift.</summary>
    LnResShift = 9,

    /// <summary>ln_out_mult.</summary>
    LnOutMult = 10,

    /// <summary>ln_out_shift.</summary>
    LnOutShift = 11,

    /// <summary>ln_residual (0 = none, else 1 + the residual's accumulator row).</summary>
    LnResidual = 12,

    /// <summary>ln_affine (accumulator row of γ block 0).</summary>
    LnAffine = 13,

    /// <summary>add_out_mult.</summary>
    AddOutMult = 14,

    /// <summary>add_out_shift.</summary>
    AddOutShift = 15,

    /// <summary>ln_in_shift (0 = no per-column LayerNorm input rescale).</summary>
    LnInShift = 16,

    /// <summary>gelu_cols (accumulator row of the per-column GELU constants).</summary>
    GeluCols = 17,

    /// <summary>softmax_pv_mult (numerator of a late-normalized Softmax row's P·V multiplier).</summary>
    SoftmaxPvMult = 18,

    /// <summary>row_scale_base (first row-scale slot of softmax_late and store func requant_row).</summary>
    RowScaleBase = 19,

    /// <summary>softmax_block (key-blocked softmax_late: 0 off, 1 max pass, 2 output pass, 3 last output pass; bit 2 = first chunk).</summary>
    SoftmaxBlock = 20,

    /// <summary>requant_cols (accumulator row of the per-column multipliers of a store with col_mult).</summary>
    RequantCols = 21,
}
