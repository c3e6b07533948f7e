namespace HwGen.Generator.Isa;

/// <summary>Values of the <c>func</c> field of <c>store</c> (<see cref="IsaSpec.StoreFuncs"/>; a test keeps them equal).</summary>
public enum StoreFunc
{
    /// <summary>Requantize with the <c>config_store</c> registers.</summary>
    Requantize = 0,

    /// <summary>I-GELU with the <c>config_post</c> gelu_* registers.</summary>
    Gelu = 1,

    /// <summary>I-GELU with per-column constants from accumulator rows <c>gelu_cols</c> and <c>gelu_cols + 1</c>.</summary>
    GeluColumn = 2,

    /// <summary>Requantize row r with the row-scale memory's multiplier of slot (row_scale_base + r) (late-normalized Softmax's P·V output).</summary>
    RequantizeRow = 3,
}
