using System.Globalization;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Workloads;

/// <summary>
/// A seeded standalone Softmax over attention scores, <c>Y = IntSoftmax(X)</c> row by row, optionally causally masked
/// (row r keeps columns j ≤ r). X (Rows×Cols int32) stands for QKᵀ accumulators of a head of dimension
/// <see cref="HeadDim"/>: the real logits are N(0, 2.5²) with one key per row raised by 4..8 (an attention peak);
/// the accumulator scale gives max|X| = 2^18 and 1/√d is folded into the kernel constants. The output is int8 with
/// scale 2^-7.
/// </summary>
public sealed record SoftmaxWorkload : RowWorkload
{
    /// <summary>Largest |X| in integer units.</summary>
    public const int InputRange = 1 << 18;

    /// <summary>Head dimension d whose 1/√d is folded into the constants.</summary>
    public const int HeadDim = 64;

    /// <summary>True for a causal mask.</summary>
    public required bool Causal { get; init; }

    /// <summary>Real scale of the accumulator integers (before 1/√d).</summary>
    public required double AccumulatorScale { get; init; }

    /// <summary>The kernel constants.</summary>
    public required IntSoftmaxConstants Constants { get; init; }

    /// <summary>The canonical workload text.</summary>
    public string Spec => string.Create(CultureInfo.InvariantCulture, $"softmax:rows={Rows},cols={Cols}{(Causal ? ",causal=1" : "")},seed={Seed}");

    /// <summary>Builds the workload a <see cref="WorkloadSpec"/> of kind softmax describes.</summary>
    public static SoftmaxWorkload FromSpec(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Create((int)spec.Get("rows"), (int)spec.Get("cols"), spec.Get("causal", 0) == 1, (ulong)spec.Get("seed", 1));
    }

    /// <summary>Draws the data and derives the constants.</summary>
    public static SoftmaxWorkload Create(int rows, int cols, bool causal = false, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        var rng = new SeededRandom(seed);
        var dots = new double[(long)rows * cols];
        var sqrtD = Math.Sqrt(HeadDim);
        for (var r = 0; r < rows; r++)
        {
            var peak = rng.Next(cols);
            var boost = 4 + (4 * rng.NextDouble());
            for (var c = 0; c < cols; c++)
            {
                var logit = (2.5 * rng.NextNormal()) + (c == peak ? boost : 0);
                dots[((long)r * cols) + c] = logit * sqrtD;
            }
        }

        var max = dots.Max(Math.Abs);
        var scale = (max > 0 ? max : 1) / InputRange;
        var input = Array.ConvertAll(dots, x => (int)Math.Clamp(Math.Round(x / scale, MidpointRounding.AwayFromZero), -InputRange, InputRange));
        return new SoftmaxWorkload
        {
            Rows = rows,
            Cols = cols,
            Causal = causal,
            Seed = seed,
            Input = input,
            AccumulatorScale = scale,
            Constants = IntSoftmaxConstants.FromScale(scale, 1.0 / sqrtD),
        };
    }

    /// <summary>Columns of row r that take part (all, or j ≤ r under the causal mask).</summary>
    public int Valid(int row) => Causal ? IntSoftmax.CausalValid(Cols, row, 0) : Cols;

    /// <summary>The int8 output straight from the kernel: the bit-exact expectation.</summary>
    public sbyte[] ReferenceOutput()
    {
        var y = new sbyte[Input.Length];
        for (var r = 0; r < Rows; r++)
        {
            IntSoftmax.Apply(Input.AsSpan(r * Cols, Cols), y.AsSpan(r * Cols, Cols), Constants, Valid(r));
        }

        return y;
    }

    /// <summary>The exact float Softmax of the dequantized (and 1/√d-scaled) input, row-major; masked elements are 0.</summary>
    public double[] FloatReference()
    {
        var y = new double[Input.Length];
        for (var r = 0; r < Rows; r++)
        {
            var x = new double[Cols];
            for (var c = 0; c < Cols; c++)
            {
                x[c] = Input[(r * Cols) + c] * Constants.InputScale;
            }

            ReferenceFunctions.Softmax(x, Valid(r)).CopyTo(y, r * Cols);
        }

        return y;
    }
}
