using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>
/// A LayerNorm with per-column constants (the LayerNorm unit's column mode, docs/numerics.md): the int32 input of
/// column j is rescaled by <c>m_j / 2^InShift</c> (its projection has one weight scale per output channel), the int16
/// residual is aligned by its own <c>A_j / 2^ResidualShift</c> (it was stored divided by a smoothing factor), and the
/// output is 16 bits (<see cref="IntLayerNorm.AffineWide"/>). Per element of a row:
/// <code>
/// h   = sat32(ScaleInput(x_j, m_j, InShift) + round_half_up(r_j·A_j / 2^ResidualShift))
/// out = AffineWide(u_j, γ_j, β_j)          // u from the statistics of h, as IntLayerNorm
/// </code>
/// </summary>
/// <param name="Gamma">γ per column (int16).</param>
/// <param name="InMultiplier">m per column.</param>
/// <param name="InShift">The input rescale's shift (0: no rescale).</param>
/// <param name="Beta">β per column, units of the narrow output scale / 2^8 (the wide output's LSB).</param>
/// <param name="ResidualMultiplier">A per column, 0..2^31−1.</param>
/// <param name="ResidualShift">The residual alignment's shift.</param>
/// <param name="Constants">Width, the output multiplier/shift and the scales (its residual alignment is unused).</param>
public sealed record NormColumns(short[] Gamma, ushort[] InMultiplier, int InShift, int[] Beta, int[] ResidualMultiplier, int ResidualShift, IntLayerNormConstants Constants)
{
    /// <summary>Fraction bits of the input multipliers: m_j = round(2^InputBits · ratio_j) with ratios at most 1.</summary>
    public const int InputBits = 15;

    /// <summary>
    /// The constants for columns whose int32 inputs have scales <paramref name="inputScales"/> (brought to their largest)
    /// and whose int16 residual column j has real scale <paramref name="residualScales"/>[j]; γ and β already divided by
    /// the output's smoothing factors; the output's narrow (int8) scale <paramref name="outputScale"/>.
    /// </summary>
    public static NormColumns Create(double[] inputScales, double[] residualScales, double[] gamma, double[] beta, double outputScale)
    {
        ArgumentNullException.ThrowIfNull(inputScales);
        ArgumentNullException.ThrowIfNull(residualScales);
        var n = inputScales.Length;
        var common = inputScales.Max();
        var m = inputScales.Select(s => (ushort)Math.Round(s / common * (1 << InputBits), MidpointRounding.AwayFromZero)).ToArray();
        var ratios = residualScales.Select(s => s / common).ToArray();
        var shift = Requantizer.FromScale(ratios.Max()).Shift;
        var a = ratios.Select(r => (int)Math.Min(Requantizer.MaxMultiplier, Math.Round(Math.ScaleB(r, shift), MidpointRounding.AwayFromZero))).ToArray();
        var (g, gs) = IntLayerNormConstants.QuantizeGamma(gamma);
        var b = IntLayerNormConstants.QuantizeBeta(beta, outputScale);
        var c = IntLayerNormConstants.FromScales(n, common, null, gs, outputScale);
        return new NormColumns(g, m, InputBits, b, a, shift, c);
    }

    /// <summary>The real scale of the wide output: the narrow scale / 2^8.</summary>
    public double WideScale => Constants.OutputScale / (1 << IntLayerNormConstants.BetaFracBits);

    /// <summary>The three accumulator vectors of the column mode: γ (low 16 bits) with m (high 16 bits), β, A.</summary>
    public int[][] Vectors() =>
    [
        Gamma.Zip(InMultiplier, (g, m) => (int)((ushort)g | ((uint)m << 16))).ToArray(),
        Beta,
        ResidualMultiplier,
    ];

    /// <summary>The sum h of one element.</summary>
    public int Sum(int x, int r, int column) =>
        FixedPoint.SaturateInt32(IntLayerNorm.ScaleInput(x, InMultiplier[column], InShift)
            + FixedPoint.RoundShift((long)r * ResidualMultiplier[column], ResidualShift));

    /// <summary>
    /// LayerNorm of <paramref name="rows"/> rows of int32 <paramref name="x"/> with the int8 <paramref name="residual"/>, to
    /// int8 (the column mode on the per-tensor datapath: <c>normalize func=layernorm</c> without wide).
    /// </summary>
    public sbyte[] ApplyNarrow(int[] x, sbyte[] residual, int rows)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(residual);
        var n = Gamma.Length;
        var y = new sbyte[rows * n];
        var h = new int[n];
        var c = Constants with { Residual = null };
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < n; j++)
            {
                h[j] = Sum(x[(r * n) + j], residual[(r * n) + j], j);
            }

            IntLayerNorm.Apply(h, [], Gamma, Beta, y.AsSpan(r * n, n), c);
        }

        return y;
    }

    /// <summary>LayerNorm of <paramref name="rows"/> rows of int32 <paramref name="x"/> with the int16 residual, to int16.</summary>
    public short[] Apply(int[] x, short[] residual, int rows)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(residual);
        var n = Gamma.Length;
        var y = new short[rows * n];
        var h = new int[n];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < n; j++)
            {
                h[j] = Sum(x[(r * n) + j], residual[(r * n) + j], j);
            }

            var stats = IntLayerNorm.Statistics(h);
            for (var j = 0; j < n; j++)
            {
                var u = IntLayerNorm.Normalize(IntLayerNorm.ScaledDeviation(h[j], stats.Sum, n, stats.Shift), stats.Factor);
                y[(r * n) + j] = IntLayerNorm.AffineWide(u, Gamma[j], Beta[j], Constants);
            }
        }

        return y;
    }
}
