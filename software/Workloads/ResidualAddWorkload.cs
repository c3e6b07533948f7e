using System.Globalization;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Workloads;

/// <summary>
/// A seeded standalone residual add of a pre-LN Transformer (GPT-2's <c>x + sublayer(LN(x))</c>),
/// <c>Y = requant(X + align(R))</c>: X (Rows×Cols int32, max|X| = 2^20) stands for the sublayer's output
/// projection accumulators, N(0, 1) with outlier channels (every 64th channel ×20); the residual stream R (int32,
/// max|R| = 2^16) is N(0.3, 0.5²) with its own scale, aligned by the kernel's dyadic multiplier. The int8 output scale
/// covers the largest |x + r| of the float reference.
/// </summary>
public sealed record ResidualAddWorkload
{
    /// <summary>Largest |X| in integer units.</summary>
    public const int InputRange = 1 << 20;

    /// <summary>Largest |R| in integer units.</summary>
    public const int ResidualRange = 1 << 16;

    /// <summary>Rows (tokens).</summary>
    public required int Rows { get; init; }

    /// <summary>Columns (channels).</summary>
    public required int Cols { get; init; }

    /// <summary>True when the residual is added (false: a plain requantization of X through the add path).</summary>
    public required bool HasResidual { get; init; }

    /// <summary>Seed the data was drawn from.</summary>
    public required ulong Seed { get; init; }

    /// <summary>X, row-major Rows×Cols int32.</summary>
    public required int[] Input { get; init; }

    /// <summary>R, row-major Rows×Cols int32 (empty without a residual).</summary>
    public required int[] Residual { get; init; }

    /// <summary>Real scale of the residual integers.</summary>
    public required double ResidualScale { get; init; }

    /// <summary>The kernel constants.</summary>
    public required IntResidualAddConstants Constants { get; init; }

    /// <summary>The canonical workload text.</summary>
    public string Spec => string.Create(CultureInfo.InvariantCulture, $"resadd:rows={Rows},cols={Cols}{(HasResidual ? "" : ",residual=0")},seed={Seed}");

    /// <summary>Builds the workload a <see cref="WorkloadSpec"/> of kind resadd describes.</summary>
    public static ResidualAddWorkload FromSpec(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Create((int)spec.Get("rows"), (int)spec.Get("cols"), spec.Get("residual", 1) == 1, (ulong)spec.Get("seed", 1));
    }

    /// <summary>Draws the data and derives the constants.</summary>
    public static ResidualAddWorkload Create(int rows, int cols, bool residual = true, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        var rng = new SeededRandom(seed);
        var x = new double[(long)rows * cols];
        var r = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var outlier = (i % cols) % 64 == 3 ? 20.0 : 1.0;
            x[i] = rng.NextNormal() * outlier;
            r[i] = (0.5 * rng.NextNormal()) + 0.3;
        }

        var sx = Math.Max(x.Max(Math.Abs), 1e-9) / InputRange;
        var sr = Math.Max(r.Max(Math.Abs), 1e-9) / ResidualRange;
        var xi = Array.ConvertAll(x, v => (int)Math.Round(v / sx, MidpointRounding.AwayFromZero));
        var ri = residual ? Array.ConvertAll(r, v => (int)Math.Round(v / sr, MidpointRounding.AwayFromZero)) : [];
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
