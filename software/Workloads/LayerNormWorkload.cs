using System.Globalization;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Workloads;

/// <summary>
/// A seeded standalone LayerNorm over residual-stream-like activations, <c>Y = IntLayerNorm(X + R)</c> row by row.
/// X (Rows×Cols int32, max|X| = 2^20) stands for a projection's accumulators: N(0, 1) with a few outlier channels
/// (every 64th channel ×20, as in LLM residual streams); the residual R (int32, max|R| = 2^16) has its own scale and
/// is aligned by the kernel's dyadic multiplier. γ ~ N(1, 0.2²) (int16), β ~ N(0, 0.3²) (int32 in units S_out/2^8).
/// The output scale covers the largest |y| of the float reference. With <see cref="InputShift"/> ≠ 0 (F2, the per-column
/// input rescale) column j's x has its own scale S_x·m_j/2^shift, and the unit brings it to S_x with the multiplier m_j
/// (<see cref="InputMultipliers"/>, the high 16 bits of γ's accumulator word). In that column mode the residual is aligned
/// per column by A_j (<see cref="ResidualMultipliers"/>, the third γ/β row of a block): the per-tensor multiplier, or with
/// <c>res_cols=1</c> a column's own, A_j = Mr·f_j with f_j in [1/2, 1], for a residual whose column j has the scale S_r·f_j.
/// </summary>
public sealed record LayerNormWorkload : ResidualStreamWorkload
{
    /// <summary>γ, int16 per channel.</summary>
    public required short[] Gamma { get; init; }

    /// <summary>β, int32 per channel in units of S_out/2^8.</summary>
    public required int[] Beta { get; init; }

    /// <summary>The kernel constants.</summary>
    public required IntLayerNormConstants Constants { get; init; }

    /// <summary>config_post ln_in_shift: 0 = no per-column input rescale.</summary>
    public int InputShift { get; init; }

    /// <summary>The per-column input multipliers m_j (empty when <see cref="InputShift"/> is 0).</summary>
    public ushort[] InputMultipliers { get; init; } = [];

    /// <summary>
    /// The per-column residual multipliers A_j of column mode (empty when <see cref="InputShift"/> is 0; all the residual
    /// alignment's multiplier unless drawn per column, all 0 without a residual).
    /// </summary>
    public int[] ResidualMultipliers { get; init; } = [];

    /// <summary>A_j drawn per column (spec <c>res_cols=1</c>).</summary>
    public bool ResidualColumns { get; init; }

    /// <inheritdoc/>
    protected override string Kind => "layernorm";

    /// <inheritdoc/>
    protected override string SpecExtra => (InputShift == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $",in_shift={InputShift}"))
        + (ResidualColumns ? ",res_cols=1" : string.Empty);

    /// <summary>Builds the workload a <see cref="WorkloadSpec"/> of kind layernorm describes.</summary>
    public static LayerNormWorkload FromSpec(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Create((int)spec.Get("rows"), (int)spec.Get("cols"), spec.Get("residual", 1) == 1, (ulong)spec.Get("seed", 1), (int)spec.Get("in_shift"),
            spec.Get("res_cols") == 1);
    }

    /// <summary>
    /// The γ/β vectors as the accumulator holds them: γ's words and β; with <see cref="InputShift"/> ≠ 0 (the unit's
    /// column mode) also the residual multipliers A_j (<see cref="ResidualMultipliers"/>).
    /// </summary>
    public int[][] AffineVectors() => InputShift == 0
        ? [GammaWords(), Beta]
        : [GammaWords(), Beta, ResidualMultipliers];

    /// <summary>
    /// γ's accumulator words: γ (int16) in the low 16 bits and, with <see cref="InputShift"/> ≠ 0, m_j in the high 16.
    /// </summary>
    public int[] GammaWords() =>
        Gamma.Select((g, j) => (int)((ushort)g | ((uint)(InputMultipliers.Length > 0 ? InputMultipliers[j] : 0) << 16))).ToArray();

    /// <summary>
    /// Draws the data and derives the constants; <paramref name="inShift"/> ≠ 0 draws per-column input scales, and with
    /// <paramref name="residualColumns"/> per-column residual scales (column mode only).
    /// </summary>
    public static LayerNormWorkload Create(int rows, int cols, bool residual = true, ulong seed = 1, int inShift = 0, bool residualColumns = false)
    {
        if (residualColumns && inShift == 0)
        {
            throw new ArgumentException("res_cols=1 needs in_shift (the per-column residual multipliers are a column-mode constant)", nameof(residualColumns));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(inShift);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inShift, 47);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cols, IntLayerNormConstants.MaxWidth);
        var rng = new SeededRandom(seed);
        var (xi, sx, ri, sr) = ResidualStream.Draw(rng, rows, cols, residual);

        var gammaReal = new double[cols];
        var betaReal = new double[cols];
        for (var c = 0; c < cols; c++)
        {
            gammaReal[c] = 1 + (0.2 * rng.NextNormal());
            betaReal[c] = 0.3 * rng.NextNormal();
        }

        var (gq, gs) = IntLayerNormConstants.QuantizeGamma(gammaReal);

        // F2: column j's multiplier m_j in [2^(k-1), 2^k), k = min(shift, 16), drawn after everything else.
        var lo = inShift == 0 ? 0 : 1 << (Math.Min(inShift, 16) - 1);
        var multipliers = inShift == 0 ? [] : Enumerable.Range(0, cols).Select(_ => (ushort)(lo + rng.Next(lo))).ToArray();
        var sxc = ColumnScales(cols, sx, multipliers, inShift);

        // Column mode with res_cols: column j's residual has the scale S_r·f_j, f_j in [1/2, 1] (drawn last).
        var f = residualColumns ? Enumerable.Range(0, cols).Select(_ => 0.5 + (0.5 * rng.NextDouble())).ToArray() : Enumerable.Repeat(1.0, cols).ToArray();
        var c1 = IntLayerNormConstants.FromScales(cols, sx, residual ? sr : null, gs, 1.0);
        var mr = c1.Residual?.Multiplier ?? 0;
        var a = inShift == 0 ? [] : f.Select(fj => (int)Math.Min(Math.Round(mr * fj), int.MaxValue)).ToArray();
        var src = a.Length == 0 || mr == 0 ? Enumerable.Repeat(sr, cols).ToArray() : a.Select(aj => sr * aj / mr).ToArray();

        // Output scale from the float reference with a unit output scale (β enters in real units).
        var probe = FloatRows(rows, cols, xi, ri, sxc, src, gq, gs, betaReal);
        var maxY = Math.Max(probe.Max(Math.Abs), 1e-6);
        var so = maxY / 127;
        var c0 = IntLayerNormConstants.FromScales(cols, sx, residual ? sr : null, gs, so);
        return new LayerNormWorkload
        {
            Rows = rows,
            Cols = cols,
            HasResidual = residual,
            Seed = seed,
            Input = xi,
            Residual = ri,
            Gamma = gq,
            Beta = IntLayerNormConstants.QuantizeBeta(betaReal, so),
            ResidualScale = sr,
            Constants = c0,
            InputShift = inShift,
            InputMultipliers = multipliers,
            ResidualMultipliers = a,
            ResidualColumns = residualColumns,
        };
    }

    /// <summary>The real scale of each column's x: S_x, or S_x·m_j/2^shift with the per-column rescale.</summary>
    private static double[] ColumnScales(int cols, double sx, ushort[] multipliers, int shift) =>
        Enumerable.Range(0, cols).Select(j => multipliers.Length == 0 ? sx : sx * multipliers[j] / Math.Pow(2, shift)).ToArray();

    /// <summary>Row r of x as the unit sees it: rescaled per column when <see cref="InputShift"/> ≠ 0.</summary>
    private int[] ScaledInput(int r) =>
        Enumerable.Range(0, Cols).Select(j => IntLayerNorm.ScaleInput(Input[(r * Cols) + j], InputShift == 0 ? (ushort)0 : InputMultipliers[j], InputShift)).ToArray();

    /// <summary>
    /// The int8 output straight from the kernel: the bit-exact expectation. In column mode h_j = sat32(x'_j +
    /// round(r_j·A_j / 2^shr)) goes to the kernel without a residual (as the golden model's DoLayerNorm).
    /// </summary>
    public sbyte[] ReferenceOutput()
    {
        var y = new sbyte[Input.Length];
        for (var r = 0; r < Rows; r++)
        {
            var res = HasResidual ? Residual.AsSpan(r * Cols, Cols) : [];
            if (InputShift == 0)
            {
                IntLayerNorm.Apply(ScaledInput(r), res, Gamma, Beta, y.AsSpan(r * Cols, Cols), Constants);
                continue;
            }

            var h = ScaledInput(r);
            var shr = Constants.Residual?.Shift ?? 0;
            for (var j = 0; j < Cols && HasResidual; j++)
            {
                h[j] = FixedPoint.SaturateInt32(h[j] + FixedPoint.RoundShift((long)res[j] * (uint)ResidualMultipliers[j], shr));
            }

            IntLayerNorm.Apply(h, [], Gamma, Beta, y.AsSpan(r * Cols, Cols), Constants with { Residual = null });
        }

        return y;
    }

    /// <summary>The exact float LayerNorm (no ε) of the dequantized x + r with the quantized γ and β, row-major.</summary>
    public double[] FloatReference()
    {
        var beta = Array.ConvertAll(Beta, b => b * Constants.OutputScale / (1 << IntLayerNormConstants.BetaFracBits));
        var mr = Constants.Residual?.Multiplier ?? 0;
        var sr = Enumerable.Range(0, Cols).Select(j => ResidualMultipliers.Length == 0 || mr == 0 ? ResidualScale : ResidualScale * ResidualMultipliers[j] / mr).ToArray();
        return FloatRows(Rows, Cols, Input, Residual, ColumnScales(Cols, Constants.InputScale, InputMultipliers, InputShift), sr, Gamma, Constants.GammaScale, beta);
    }

    private static double[] FloatRows(int rows, int cols, int[] x, int[] r, double[] sx, double[] sr, short[] gamma, double gs, double[] beta)
    {
        var y = new double[(long)rows * cols];
        var h = new double[cols];
        for (var i = 0; i < rows; i++)
        {
            var mean = 0.0;
            for (var c = 0; c < cols; c++)
            {
                var k = (i * cols) + c;
                h[c] = (x[k] * sx[c]) + (r.Length > 0 ? r[k] * sr[c] : 0);
                mean += h[c];
            }

            mean /= cols;
            var variance = 0.0;
            foreach (var v in h)
            {
                variance += (v - mean) * (v - mean);
            }

            var sd = Math.Sqrt(variance / cols);
            for (var c = 0; c < cols; c++)
            {
                var z = sd > 0 ? (h[c] - mean) / sd : 0;
                y[(i * cols) + c] = (z * gamma[c] * gs) + beta[c];
            }
        }

        return y;
    }
}
