using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>
/// Per-output-channel int4 weight scales of a layer on the per-tensor datapath (<c>wbits=4</c> with <c>chscale</c>,
/// docs/numerics.md): Wq, Wk and Wv have a scale per column and their stores requantize column j with its own multiplier
/// (<c>store col_mult</c>, one shared shift); W1 has a scale per column and the GELU store (<c>store func=gelu_col</c>)
/// first brings column j to the common GELU input scale S_in·max_j S_1[j] with m_j / 2^15, then applies the tensor's I-GELU
/// and output requantization. Post-LN, Wo and W2 also have a scale per column: their LayerNorms run in the unit's column
/// mode (<see cref="Norm1"/>, <see cref="Norm2"/>: x_j·m_j / 2^15 to the largest column scale, the int8 residual aligned by
/// A_j, int8 output). Pre-LN, Wo and W2 have a scale per column too: their residual adds run in the same column mode
/// (<see cref="Add1"/>, <see cref="Add2"/>: x_j·m_j / 2^15 to the largest column scale, then the per-tensor residual
/// alignment and output requantization).
/// </summary>
/// <param name="Q">Column requantizations of the Q projection.</param>
/// <param name="K">Column requantizations of the K projection.</param>
/// <param name="V">Column requantizations of the V projection.</param>
/// <param name="Gelu">Per-column GELU constants of FFN1 (input rescale, the tensor's output requantization, zero point 0).</param>
public sealed record ChannelScales(Requantization[] Q, Requantization[] K, Requantization[] V, IntGeluColumn[] Gelu)
{
    /// <summary>Post-LN: LayerNorm 1 in column mode (Wo per channel), or null.</summary>
    public NormColumns? Norm1 { get; init; }

    /// <summary>Post-LN: LayerNorm 2 in column mode (W2 per channel), or null.</summary>
    public NormColumns? Norm2 { get; init; }

    /// <summary>Pre-LN: the residual add after Wo in column mode (Wo per channel), or null.</summary>
    public AddColumns? Add1 { get; init; }

    /// <summary>Pre-LN: the residual add after W2 in column mode (W2 per channel), or null.</summary>
    public AddColumns? Add2 { get; init; }

    /// <summary>The per-column multipliers of a projection, as the accumulator vector <c>store col_mult</c> reads.</summary>
    public static int[] Multipliers(Requantization[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return columns.Select(r => (int)r.Multiplier).ToArray();
    }

    /// <summary>
    /// FFN1's per-column GELU constants for column scales <paramref name="scales"/> of W1: m_j = round(2^15·S_1[j] / max S_1)
    /// (at most 2^15), shift 15, and <paramref name="gelu"/>'s output requantization.
    /// </summary>
    public static IntGeluColumn[] GeluColumns(double[] scales, IntGeluConstants gelu)
    {
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(gelu);
        var max = scales.Max();
        return scales.Select(s => new IntGeluColumn((ushort)Math.Round(s / max * (1 << NormColumns.InputBits), MidpointRounding.AwayFromZero),
            NormColumns.InputBits, (int)gelu.Output.Multiplier, gelu.Output.Shift, 0)).ToArray();
    }
}
