using System.Globalization;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Workloads;

/// <summary>
/// A seeded standalone GELU, <c>Y = IntGelu(X)</c>: X (Rows×Cols int32, scale <see cref="InputScale"/>) is loaded into
/// the accumulator and stored through the GELU unit to int8 (scale <see cref="Constants"/>.OutputScale). X looks like
/// FFN1 pre-activations: normal with σ = 1.5, with ~3% outlier channels (columns, at least one when Cols ≥ 8) ×6.
/// The int32 scale gives max|x| 2^20 units; the output scale is max|GELU(x)|/127 (symmetric). With
/// <see cref="PerColumn"/> (F3 + F6, <c>store func=gelu_col</c>) column j's x has the scale S·mi_j/2^16 (mi_j in
/// [2^15, 2^16)), its output the scale S_out·g_j (g_j in [1, 2)) and a zero point z_j in [−40, 0]
/// (<see cref="Columns"/>); <see cref="FloatReference"/> is then column j's exact code (GELU/S_out_j + z_j) times S_out.
/// </summary>
public sealed record GeluWorkload : RowWorkload
{
    /// <summary>Largest |X| in integer units.</summary>
    public const int InputRange = 1 << 20;

    /// <summary>Real scale of X.</summary>
    public required double InputScale { get; init; }

    /// <summary>The kernel constants (from the two scales).</summary>
    public required IntGeluConstants Constants { get; init; }

    /// <summary>Per-column constants, one per column (empty: the per-tensor GELU store).</summary>
    public IntGeluColumn[] Columns { get; init; } = [];

    /// <summary>True when the store is <c>gelu_col</c> with <see cref="Columns"/>.</summary>
    public bool PerColumn => Columns.Length > 0;

    /// <summary>The canonical workload text.</summary>
    public string Spec => string.Create(CultureInfo.InvariantCulture, $"gelu:rows={Rows},cols={Cols}{(PerColumn ? ",percol=1" : "")},seed={Seed}");

    /// <summary>Builds the workload a <see cref="WorkloadSpec"/> of kind gelu describes.</summary>
    public static GeluWorkload FromSpec(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Create((int)spec.Get("rows"), (int)spec.Get("cols"), (ulong)spec.Get("seed", 1), spec.Get("percol") == 1);
    }

    /// <summary>Draws the data and derives the constants; <paramref name="perColumn"/> also draws per-column constants.</summary>
    public static GeluWorkload Create(int rows, int cols, ulong seed = 1, bool perColumn = false)
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
        var c = IntGeluConstants.FromScale(scale, outputScale);

        // Per-column constants, drawn after the data: input rescale mi/2^16, output scale S_out·g and zero point z.
        var columns = new IntGeluColumn[perColumn ? cols : 0];
        for (var j = 0; j < columns.Length; j++)
        {
            var mi = (ushort)((1 << 15) + rng.Next(1 << 15));
            var output = FixedPoint.DyadicFromScale(c.ProductScale / (outputScale * (1 + rng.NextDouble())), IntGeluConstants.OutputMultiplierBits);
            columns[j] = new IntGeluColumn(mi, 16, (int)output.Multiplier, output.Shift, (sbyte)-rng.Next(41));
        }

        return new GeluWorkload
        {
            Rows = rows,
            Cols = cols,
            Seed = seed,
            Input = input,
            InputScale = scale,
            Constants = c,
            Columns = columns,
        };
    }

    /// <summary>The int8 output straight from the kernel: the bit-exact expectation.</summary>
    public sbyte[] ReferenceOutput() =>
        Input.Select((q, i) => PerColumn ? Columns[i % Cols].Apply(q, Constants) : IntGelu.Apply(q, Constants)).ToArray();

    /// <summary>
    /// The exact float GELU of the dequantized input, row-major; per column, the exact output code (GELU/S_out_j + z_j)
    /// times S_out.
    /// </summary>
    public double[] FloatReference() => Input.Select((q, i) =>
    {
        if (!PerColumn)
        {
            return ReferenceFunctions.Gelu(q * InputScale);
        }

        var col = Columns[i % Cols];
        var gelu = ReferenceFunctions.Gelu(q * InputScale * col.InMultiplier / (1 << col.InShift));
        return ((gelu * col.OutMultiplier * Math.Pow(2, -col.OutShift) / Constants.ProductScale) + col.ZeroPoint) * Constants.OutputScale;
    }).ToArray();
}
