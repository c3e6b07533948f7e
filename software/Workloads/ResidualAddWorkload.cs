using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Workloads;

/// <summary>
/// A seeded standalone residual add of a pre-LN Transformer (GPT-2's <c>x + sublayer(LN(x))</c>),
/// <c>Y = requant(X + align(R))</c>: X (Rows×Cols int32, max|X| = 2^20) stands for the sublayer's output
/// projection accumulators, N(0, 1) with outlier channels (every 64th channel ×20); the residual stream R (int32,
/// max|R| = 2^16) is N(0.3, 0.5²) with its own scale, aligned by the kernel's dyadic multiplier. The int8 output scale
/// covers the largest |x + r| of the float reference.
/// </summary>
public sealed record ResidualAddWorkload : ResidualStreamWorkload
{
    /// <summary>The kernel constants.</summary>
    public required IntResidualAddConstants Constants { get; init; }

    /// <inheritdoc/>
    protected override string Kind => "resadd";

    /// <summary>Builds the workload a <see cref="WorkloadSpec"/> of kind resadd describes.</summary>
    public static ResidualAddWorkload FromSpec(WorkloadSpec spec) => ResidualStream.FromSpec(spec, Create);

    /// <summary>Draws the data and derives the constants.</summary>
    public static ResidualAddWorkload Create(int rows, int cols, bool residual = true, ulong seed = 1)
    {
        var (xi, sx, ri, sr) = ResidualStream.Draw(new SeededRandom(seed), rows, cols, residual);
        var maxY = 1e-9;
        for (var i = 0; i < xi.Length; i++)
        {
            maxY = Math.Max(maxY, Math.Abs((xi[i] * sx) + (residual ? ri[i] * sr : 0)));
        }

        return new ResidualAddWorkload
        {
            Rows = rows,
            Cols = cols,
            HasResidual = residual,
            Seed = seed,
            Input = xi,
            Residual = ri,
            ResidualScale = sr,
            Constants = IntResidualAddConstants.FromScales(sx, residual ? sr : null, maxY / 127),
        };
    }

    /// <summary>The int8 output straight from the kernel: the bit-exact expectation.</summary>
    public sbyte[] ReferenceOutput()
    {
        var y = new sbyte[Input.Length];
        for (var r = 0; r < Rows; r++)
        {
            var res = HasResidual ? Residual.AsSpan(r * Cols, Cols) : [];
            IntResidualAdd.Apply(Input.AsSpan(r * Cols, Cols), res, y.AsSpan(r * Cols, Cols), Constants);
        }

        return y;
    }

    /// <summary>The exact float sum of the dequantized x and r, row-major.</summary>
    public double[] FloatReference()
    {
        var y = new double[Input.Length];
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = (Input[i] * Constants.InputScale) + (HasResidual ? Residual[i] * ResidualScale : 0);
        }

        return y;
    }
}
