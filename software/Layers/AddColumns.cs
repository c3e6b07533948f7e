using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Layers;

/// <summary>
/// A residual add with a per-column input rescale (<c>normalize func=add</c> in the LayerNorm unit's column mode,
/// docs/numerics.md): the int32 input of column j, whose projection has one weight scale per output channel, is brought to
/// the largest column scale by <c>m_j / 2^InShift</c>, the residual is aligned by the tensor's one multiplier (written as
/// A_j = Mr in every column), and the sum is requantized as the per-tensor add's. Per element:
/// <code>
/// h   = sat32(ScaleInput(x_j, m_j, InShift) + round_half_up(r·Mr / 2^shr))
/// out = sat8(round_half_up(h·M / 2^sh))                       // Constants.Output
/// </code>
/// </summary>
/// <param name="InMultiplier">m per column, at most 2^InShift.</param>
/// <param name="InShift">The input rescale's shift (<see cref="NormColumns.InputBits"/>).</param>
/// <param name="Constants">The residual alignment and output requantization at the common (largest) input scale.</param>
public sealed record AddColumns(ushort[] InMultiplier, int InShift, IntResidualAddConstants Constants)
{
    /// <summary>
    /// The constants for columns whose int32 inputs have scales <paramref name="inputScales"/> (brought to their largest),
    /// a residual at <paramref name="residualScale"/> and an int8 output at <paramref name="outputScale"/>.
    /// </summary>
    public static AddColumns Create(double[] inputScales, double residualScale, double outputScale)
    {
        ArgumentNullException.ThrowIfNull(inputScales);
        var common = inputScales.Max();
        var m = inputScales.Select(s => (ushort)Math.Round(s / common * (1 << NormColumns.InputBits), MidpointRounding.AwayFromZero)).ToArray();
        return new AddColumns(m, NormColumns.InputBits, IntResidualAddConstants.FromScales(common, residualScale, outputScale));
    }

    /// <summary>The residual alignment (the multiplier every A_j holds).</summary>
    public Requantization Residual => Constants.Residual ?? throw new InvalidOperationException("a column-mode add has a residual");

    /// <summary>config_post ln_in_shift and ln_res_shift of the column mode.</summary>
    public (int InShift, int ResidualShift) Mode => (InShift, Residual.Shift);

    /// <summary>
    /// The three accumulator vectors of the column mode, as LayerNorm's: m in the high 16 bits (γ, unused, 0), β (unused,
    /// 0), A_j = the residual multiplier.
    /// </summary>
    public int[][] Vectors() =>
    [
        InMultiplier.Select(m => (int)((uint)m << 16)).ToArray(),
        new int[InMultiplier.Length],
        Enumerable.Repeat((int)Residual.Multiplier, InMultiplier.Length).ToArray(),
    ];

    /// <summary>The sum h of one element of column <paramref name="column"/>.</summary>
    public int Sum(int x, int r, int column) =>
        FixedPoint.SaturateInt32(IntLayerNorm.ScaleInput(x, InMultiplier[column], InShift) + FixedPoint.RoundShift(r * Residual.Multiplier, Residual.Shift));

    /// <summary>The add of <paramref name="x"/> (row-major, rows of the multipliers' width) and the int8 <paramref name="residual"/>.</summary>
    public sbyte[] Apply(int[] x, sbyte[] residual)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(residual);
        var n = InMultiplier.Length;
        var y = new sbyte[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = Requantizer.Apply(Sum(x[i], residual[i], i % n), Constants.Output.Multiplier, Constants.Output.Shift, relu: false);
        }

        return y;
    }
}
