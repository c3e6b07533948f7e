namespace HwGen.Models;

/// <summary>How weights are quantized to int8 in a <see cref="QuantScheme"/>.</summary>
public enum WeightQuantization
{
    /// <summary>Float weights.</summary>
    Float,

    /// <summary>One symmetric scale per weight matrix.</summary>
    PerTensor,

    /// <summary>One symmetric scale per output channel (column of the [in, out] matrix).</summary>
    PerChannel,
}
