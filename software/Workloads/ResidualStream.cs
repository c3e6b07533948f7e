using System.Globalization;

namespace HwGen.Software.Workloads;

/// <summary>
/// The seeded residual-stream data the LayerNorm and residual-add workloads share: X (Rows×Cols int32, max|X| =
/// <see cref="InputRange"/>) stands for a projection's accumulators, N(0, 1) with outlier channels (every 64th channel
/// ×20, as in LLM residual streams); the residual R (int32, max|R| = <see cref="ResidualRange"/>) is N(0.3, 0.5²) with
/// its own scale. Both are quantized symmetrically per tensor with round-half-away-from-zero.
/// </summary>
internal static class ResidualStream
{
    /// <summary>Largest |X| in integer units.</summary>
    public const int InputRange = 1 << 20;

    /// <summary>Largest |R| in integer units.</summary>
    public const int ResidualRange = 1 << 16;

    /// <summary>
    /// Draws x and r element by element (x then r, row-major) from <paramref name="rng"/> and quantizes them; R is empty
    /// without a residual (its values are still drawn, so X and whatever the caller draws next do not depend on it).
    /// </summary>
    public static (int[] X, double ScaleX, int[] R, double ScaleR) Draw(SeededRandom rng, int rows, int cols, bool residual)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
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
        return (xi, sx, ri, sr);
    }

    /// <summary>
    /// Creates the workload a <see cref="WorkloadSpec"/> of a residual-stream kind describes: rows, cols, residual
    /// (default 1) and seed (default 1), the parameters <see cref="Spec"/> writes.
    /// </summary>
    public static T FromSpec<T>(WorkloadSpec spec, Func<int, int, bool, ulong, T> create)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(create);
        return create((int)spec.Get("rows"), (int)spec.Get("cols"), spec.Get("residual", 1) == 1, (ulong)spec.Get("seed", 1));
    }

    /// <summary>The canonical workload text of a residual-stream workload of the given kind.</summary>
    public static string Spec(string kind, int rows, int cols, bool residual, ulong seed, string extra = "") =>
        string.Create(CultureInfo.InvariantCulture, $"{kind}:rows={rows},cols={cols}{(residual ? "" : ",residual=0")}{extra},seed={seed}");
}
