using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Workloads;

/// <summary>
/// A seeded standalone LayerNorm over residual-stream-like activations, <c>Y = IntLayerNorm(X + R)</c> row by row.
/// X (Rows×Cols int32, max|X| = 2^20) stands for a projection's accumulators: N(0, 1) with a few outlier channels
/// (every 64th channel ×20, as in LLM residual streams); the residual R (int32, max|R| = 2^16) has its own scale and
/// is aligned by the kernel's dyadic multiplier. γ ~ N(1, 0.2²) (int16), β ~ N(0, 0.3²) (int32 in units S_out/2^8).
/// The output scale covers the largest |y| of the float reference.
/// </summary>
public sealed record LayerNormWorkload : ResidualStreamWorkload
{
    /// <summary>γ, int16 per channel.</summary>
    public required short[] Gamma { get; init; }

    /// <summary>β, int32 per channel in units of S_out/2^8.</summary>
    public required int[] Beta { get; init; }

    /// <summary>The kernel constants.</summary>
    public required IntLayerNormConstants Constants { get; init; }

    /// <inheritdoc/>
    protected override string Kind => "layernorm";

    /// <summary>Builds the workload a <see cref="WorkloadSpec"/> of kind layernorm describes.</summary>
    public static LayerNormWorkload FromSpec(WorkloadSpec spec) => ResidualStream.FromSpec(spec, Create);

    /// <summary>Draws the data and derives the constants.</summary>
    public static LayerNormWorkload Create(int rows, int cols, bool residual = true, ulong seed = 1)
    {
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

        // Output scale from the float reference with a unit output scale (β enters in real units).
        var probe = FloatRows(rows, cols, xi, ri, sx, sr, gq, gs, betaReal);
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
        };
    }

    /// <summary>The int8 output straight from the kernel: the bit-exact expectation.</summary>
    public sbyte[] ReferenceOutput()
    {
        var y = new sbyte[Input.Length];
        for (var r = 0; r < Rows; r++)
        {
            var res = HasResidual ? Residual.AsSpan(r * Cols, Cols) : [];
            IntLayerNorm.Apply(Input.AsSpan(r * Cols, Cols), res, Gamma, Beta, y.AsSpan(r * Cols, Cols), Constants);
        }

        return y;
    }

    /// <summary>The exact float LayerNorm (no ε) of the dequantized x + r with the quantized γ and β, row-major.</summary>
    public double[] FloatReference()
    {
        var beta = Array.ConvertAll(Beta, b => b * Constants.OutputScale / (1 << IntLayerNormConstants.BetaFracBits));
        return FloatRows(Rows, Cols, Input, Residual, Constants.InputScale, ResidualScale, Gamma, Constants.GammaScale, beta);
    }

    private static double[] FloatRows(int rows, int cols, int[] x, int[] r, double sx, double sr, short[] gamma, double gs, double[] beta)
    {
        var y = new double[(long)rows * cols];
        var h = new double[cols];
        for (var i = 0; i < rows; i++)
        {
            var mean = 0.0;
            for (var c = 0; c < cols; c++)
            {
                var k = (i * cols) + c;
                h[c] = (x[k] * sx) + (r.Length > 0 ? r[k] * sr : 0);
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
