namespace HwGen.Generator.Isa;

/// <summary>Values of the <c>func</c> field of <c>normalize</c> (<see cref="IsaSpec.NormalizeFuncs"/>; a test keeps them equal).</summary>
public enum NormalizeFunc
{
    /// <summary>Row-wise Softmax.</summary>
    Softmax = 0,

    /// <summary>Row-wise LayerNorm with residual and γ/β.</summary>
    LayerNorm = 1,

    /// <summary>Residual add, requantized.</summary>
    Add = 2,

    /// <summary>
    /// Late-normalized Softmax: two passes (max; u relative to the row maximum and Σu), each row's P·V multiplier into the
    /// row-scale memory (store func requant_row divides the output row by Σu).
    /// </summary>
    SoftmaxLate = 3,
}
