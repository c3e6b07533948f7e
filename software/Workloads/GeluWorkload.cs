using System.Globalization;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Workloads;

/// <summary>
/// A seeded standalone GELU, <c>Y = IntGelu(X)</c>: X (Rows×Cols int32, scale <see cref="InputScale"/>) is loaded into
/// the accumulator and stored through the GELU unit to int8 (scale <see cref="Constants"/>.OutputScale). X looks like
/// FFN1 pre-activations: normal with σ = 1.5, with ~3% outlier channels (columns, at least one when Cols ≥ 8) ×6.
/// The int32 scale gives max|x| 2^20 units; the output scale is max|GELU(x)|/127 (symmetric).
/// </summary>
public sealed record GeluWorkload : RowWorkload
{
    /// <summary>Largest |X| in integer units.</summary>
    public const int InputRange = 1 << 20;

    /// <summary>Real scale of X.</summary>
    public required double InputScale { get; init; }

    /// <summary>The kernel constants (from the two scales).</summary>
    public required IntGeluConstants Constants { get; init; }

    /// <summary>The canonical workload text.</summary>
    public string Spec => string.Create(CultureInfo.InvariantCulture, $"gelu:rows={Rows},cols={Cols},seed={Seed}");

    /// <summary>Builds the workload a <see cref="WorkloadSpec"/> of kind gelu describes.</summary>
    public static GeluWorkload FromSpec(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Create((int)spec.Get("rows"), (int)spec.Get("cols"), (ulong)spec.Get("seed", 1));
    }

    /// <summary>Draws the data and derives the constants.</summary>
    public static GeluWorkload Create(int rows, int cols, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        var rng = new SeededRandom(seed);
        var outlier = new bool[cols];
        for (var i = 0; i < (cols >= 8 ? Math.Max(1, cols * 3 / 100) : 0); i++)
        {
            outlier[rng.Next(cols)] = true;
        }

        var real = new double[(long)rows * cols];
        for (var i = 0; i < real.Length; i++)
        {
            real[i] = 1.5 * rng.NextNormal() * (outlier[i % cols] ? 6 : 1);
        }

        var max = real.Max(Math.Abs);
        var scale = (max > 0 ? max : 1) / InputRange;
        var input = Array.ConvertAll(real, x => (int)Math.Clamp(Math.Round(x / scale, MidpointRounding.AwayFromZero), -InputRange, InputRange));
        var outputScale = SymmetricQuantizer.Scale(Array.ConvertAll(input, q => ReferenceFunctions.Gelu(q * scale)));
        return new GeluWorkload
        {
            Rows = rows,
            Cols = cols,
            Seed = seed,
            Input = input,
            InputScale = scale,
            Constants = IntGeluConstants.FromScale(scale, outputScale),
        };
    }

    /// <summary>The int8 output straight from the kernel: the bit-exact expectation.</summary>
    public sbyte[] ReferenceOutput() => Array.ConvertAll(Input, q => IntGelu.Apply(q, Constants));

    /// <summary>The exact float GELU of the dequantized input, row-major.</summary>
    public double[] FloatReference() => Array.ConvertAll(Input, q => ReferenceFunctions.Gelu(q * InputScale));
}
