namespace HwGen.Software.Compiler;

/// <summary>What the store path does with a GEMM's accumulator tile.</summary>
public enum GemmEpilogue
{
    /// <summary>Requantize to int8 (config_store).</summary>
    Requantize,

    /// <summary>I-GELU (store func gelu).</summary>
    Gelu,

    /// <summary>Row-wise Softmax of whole rows (normalize).</summary>
    Softmax,

    /// <summary>Residual add and LayerNorm of whole rows (normalize).</summary>
    LayerNorm,

    /// <summary>Residual add of whole rows (normalize func add).</summary>
    ResidualAdd,
}
