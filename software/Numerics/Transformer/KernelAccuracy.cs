using System.Globalization;
using System.Text;

namespace HwGen.Software.Numerics.Transformer;

/// <summary>
/// Accuracy of the integer Transformer units against the exact float function on the dequantized input
/// (docs/numerics.md, "Measured accuracy"). Inputs are seeded and realistic: attention-score logits built from int8
/// Q·Kᵀ products, residual-stream rows with outlier channels. Everything here is deterministic.
/// </summary>
public static class KernelAccuracy
{
    /// <summary>
    /// I-GELU before output quantization: every input integer q with |q·S| ≤ range, error of <c>h·ProductScale</c>
    /// against GELU(q·S). LSB figures use <paramref name="outputScale"/>.
    /// </summary>
    public static ErrorStats GeluApproximation(double inputScale, double outputScale, double range = 4.0)
    {
        var c = IntGeluConstants.FromScale(inputScale, outputScale);
        return GeluSweep(inputScale, outputScale, range, q => IntGelu.Product(q, c) * c.ProductScale);
    }

    /// <summary>I-GELU after requantization to int8: error of <c>out·S_out</c> against GELU(q·S) over |q·S| ≤ range.</summary>
    public static ErrorStats GeluOutput(double inputScale, double outputScale, double range = 4.0)
    {
        var c = IntGeluConstants.FromScale(inputScale, outputScale);
        return GeluSweep(inputScale, outputScale, range, q => IntGelu.Apply(q, c) * outputScale);
    }

    /// <summary>Error of <paramref name="actual"/>(q) against GELU(q·S) for q over |q·S| ≤ range (at most ~400,000 points).</summary>
    private static ErrorStats GeluSweep(double inputScale, double outputScale, double range, Func<int, double> actual)
    {
        var qmax = (int)Math.Floor(range / inputScale);
        var step = Math.Max(1, qmax / 200_000);
        var got = new List<double>();
        var expected = new List<double>();
        for (long q = -qmax; q <= qmax; q += step)
        {
            got.Add(actual((int)q));
            expected.Add(ReferenceFunctions.Gelu(q * inputScale));
        }

        return ErrorStats.Measure(got.ToArray(), expected.ToArray(), outputScale);
    }

    /// <summary>
    /// i-exp before output quantization over its reduced range: every p = −f·ln2/2^14, f = 0..2^14−1 (input scale
    /// equal to the internal unit, so the conversion is exact). LSB figures use the softmax output LSB 2^-7.
    /// </summary>
    public static ErrorStats ExpReducedRange()
    {
        var c = IntSoftmaxConstants.FromScale(IntSoftmaxConstants.InternalScale);
        var n = 1 << IntSoftmaxConstants.FracBits;
        var actual = new double[n];
        var expected = new double[n];
        for (var f = 0; f < n; f++)
        {
            actual[f] = IntSoftmax.Exp(-f, c) * IntSoftmaxConstants.ExpScale;
            expected[f] = Math.Exp(-f * IntSoftmaxConstants.InternalScale);
        }

        return ErrorStats.Measure(actual, expected, IntSoftmaxConstants.OutputScale);
    }

    /// <summary>i-exp before output quantization for x = d·S over [lowest, 0] (d integer, up to 10^6 samples).</summary>
    public static ErrorStats ExpNegativeAxis(double inputScale, double lowest = -20.0)
    {
        var c = IntSoftmaxConstants.FromScale(inputScale);
        var dmin = (long)Math.Ceiling(lowest / inputScale);
        var step = Math.Max(1, -dmin / 1_000_000);
        var actual = new List<double>();
        var expected = new List<double>();
        for (var d = 0L; d >= dmin; d -= step)
        {
            actual.Add(IntSoftmax.Exp(d, c) * IntSoftmaxConstants.ExpScale);
            expected.Add(Math.Exp(d * inputScale));
        }

        return ErrorStats.Measure(actual.ToArray(), expected.ToArray(), IntSoftmaxConstants.OutputScale);
    }

    /// <summary>
    /// Softmax on attention-score rows: int8 Q (rows × 64) and K (width × 64) with a spread of logit scales and
    /// a few sharply peaked rows, int32 Q·Kᵀ accumulators, attention scale 1/8. Error of <c>out·2^-7</c> against the
    /// float softmax of the dequantized, scaled scores (causal: row i keeps columns ≤ i + width − rows).
    /// </summary>
    public static ErrorStats Softmax(int width, int rows, bool causal, int seed)
    {
        const int HeadDim = 64;
        var rng = new Random(seed);
        var qf = new double[rows * HeadDim];
        var kf = new double[width * HeadDim];
        for (var i = 0; i < rows; i++)
        {
            var temperature = 0.5 + (3.0 * rng.NextDouble());
            for (var k = 0; k < HeadDim; k++)
            {
                qf[(i * HeadDim) + k] = temperature * Normal(rng);
            }
        }

        for (var i = 0; i < kf.Length; i++)
        {
            kf[i] = Normal(rng);
        }

        // A few keys every query attends to strongly ("attention sinks").
        for (var j = 0; j < width; j += 7)
        {
            for (var k = 0; k < HeadDim; k++)
            {
                kf[(j * HeadDim) + k] *= 2.0;
            }
        }

        var (q8, sq) = SymmetricQuantizer.Quantize(qf);
        var (k8, sk) = SymmetricQuantizer.Quantize(kf);
        var attention = 1.0 / Math.Sqrt(HeadDim);
        var c = IntSoftmaxConstants.FromScale(sq * sk, attention);
        var actual = new List<double>();
        var expected = new List<double>();
        var acc = new int[width];
        var x = new double[width];
        var y = new sbyte[width];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < width; j++)
            {
                acc[j] = IntegerMac.Dot(q8.AsSpan(i * HeadDim, HeadDim), k8.AsSpan(j * HeadDim, HeadDim));
                x[j] = acc[j] * c.InputScale;
            }

            var valid = causal ? IntSoftmax.CausalValid(width, i, width - rows) : width;
            IntSoftmax.Apply(acc, y, c, valid);
            var r = ReferenceFunctions.Softmax(x, valid);
            for (var j = 0; j < width; j++)
            {
                actual.Add(y[j] * IntSoftmaxConstants.OutputScale);
                expected.Add(r[j]);
            }
        }

        return ErrorStats.Measure(actual.ToArray(), expected.ToArray(), IntSoftmaxConstants.OutputScale);
    }

    /// <summary>
    /// LayerNorm on residual-stream rows with outlier channels: residual r ~ N(0, 1) with every 61st channel (and
    /// channel 3) ×30, branch output x ~ N(0, 0.5); γ ~ 1 + N(0, 0.1), β ~ N(0, 0.1) (float, quantized by the unit's
    /// rules). With <paramref name="int8Inputs"/> both x and r are int8 with their own symmetric scales (few LSBs of
    /// spread on ordinary channels); otherwise x is an int32 accumulator with scale 2^-16 and r int8. The output scale
    /// is max|reference|/127 over the whole set. Error of <c>out·S_out</c> against float LayerNorm of x + r.
    /// </summary>
    public static ErrorStats LayerNorm(int width, int rows, bool int8Inputs, int seed)
    {
        var rng = new Random(seed);
        var (xi, sx, r8, sr) = ResidualStreamRows(rng, width, rows, int8Inputs);

        var gamma = new double[width];
        var beta = new double[width];
        for (var j = 0; j < width; j++)
        {
            gamma[j] = 1.0 + (0.1 * Normal(rng));
            beta[j] = 0.1 * Normal(rng);
        }

        var reference = new double[rows * width];
        var h = new double[width];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < width; j++)
            {
                h[j] = (xi[(i * width) + j] * sx) + (r8[(i * width) + j] * sr);
            }

            ReferenceFunctions.LayerNorm(h, gamma, beta).CopyTo(reference, i * width);
        }

        var maxRef = reference.Max(Math.Abs);
        var so = maxRef > 0 ? maxRef / 127 : 1.0;
        var (gq, sg) = IntLayerNormConstants.QuantizeGamma(gamma);
        var bq = IntLayerNormConstants.QuantizeBeta(beta, so);
        var c = IntLayerNormConstants.FromScales(width, sx, sr, sg, so);
        var actual = new double[rows * width];
        var ri = Array.ConvertAll(r8, v => (int)v);
        var y = new sbyte[width];
        for (var i = 0; i < rows; i++)
        {
            IntLayerNorm.Apply(xi.AsSpan(i * width, width), ri.AsSpan(i * width, width), gq, bq, y, c);
            for (var j = 0; j < width; j++)
            {
                actual[(i * width) + j] = y[j] * so;
            }
        }

        return ErrorStats.Measure(actual, reference, so);
    }

    /// <summary>
    /// The residual-stream rows of <see cref="LayerNorm"/> and <see cref="ResidualAdd"/>, drawn element by element
    /// (r, then x, row-major): r ~ N(0, 1) with every 61st channel (and channel 3) ×30 as int8, x ~ N(0, 0.5) as int8
    /// with <paramref name="int8Inputs"/>, otherwise as an int32 accumulator with scale 2^-16.
    /// </summary>
    private static (int[] X, double ScaleX, sbyte[] R, double ScaleR) ResidualStreamRows(Random rng, int width, int rows, bool int8Inputs)
    {
        var rf = new double[rows * width];
        var xf = new double[rows * width];
        for (var i = 0; i < rf.Length; i++)
        {
            rf[i] = ((i % width) % 61 == 3 ? 30.0 : 1.0) * Normal(rng);
            xf[i] = 0.5 * Normal(rng);
        }

        var (r8, sr) = SymmetricQuantizer.Quantize(rf);
        int[] xi;
        double sx;
        if (int8Inputs)
        {
            var (x8, s8) = SymmetricQuantizer.Quantize(xf);
            xi = Array.ConvertAll(x8, v => (int)v);
            sx = s8;
        }
        else
        {
            sx = 1.0 / 65536;
            xi = Array.ConvertAll(xf, v => (int)Math.Round(v / sx, MidpointRounding.AwayFromZero));
        }

        return (xi, sx, r8, sr);
    }

    /// <summary>
    /// Residual add on the same residual-stream rows as <see cref="LayerNorm"/> (r int8 with outliers, x int32 with
    /// scale 2^-16 or int8): error of <c>out·S_out</c> against the float x + r, with S_out = max|x + r|/127.
    /// </summary>
    public static ErrorStats ResidualAdd(int width, int rows, bool int8Inputs, int seed)
    {
        var (xi, sx, r8, sr) = ResidualStreamRows(new Random(seed), width, rows, int8Inputs);
        var reference = new double[r8.Length];
        for (var i = 0; i < reference.Length; i++)
        {
            reference[i] = (xi[i] * sx) + (r8[i] * sr);
        }

        var maxRef = reference.Max(Math.Abs);
        var so = maxRef > 0 ? maxRef / 127 : 1.0;
        var c = IntResidualAddConstants.FromScales(sx, sr, so);
        var y = new sbyte[r8.Length];
        IntResidualAdd.Apply(xi, Array.ConvertAll(r8, v => (int)v), y, c);
        return ErrorStats.Measure(Array.ConvertAll(y, v => v * so), reference, so);
    }

    /// <summary>The full measurement table (Markdown), as in docs/numerics.md.</summary>
    public static string Report()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| Kernel | Case | Samples | Max abs error | RMS error | Max (LSB) | RMS (LSB) |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        void Row(string kernel, string name, ErrorStats e) => sb.AppendLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {kernel} | {name} | {e.Count} | {e.MaxAbs:0.000e+0} | {e.Rms:0.000e+0} | {e.MaxAbsLsb:0.000} | {e.RmsLsb:0.000} |"));

        foreach (var s in new[] { 1e-5, 1e-3, 4.0 / 127 })
        {
            var so = 4.0 / 127;
            Row("GELU", string.Create(CultureInfo.InvariantCulture, $"[-4,4], S={s:G3}, before int8 (LSB = 4/127)"), GeluApproximation(s, so));
            Row("GELU", string.Create(CultureInfo.InvariantCulture, $"[-4,4], S={s:G3}, int8 output S_out=4/127"), GeluOutput(s, so));
        }

        Row("i-exp", "p in (-ln2, 0], before normalization (LSB = 2^-7)", ExpReducedRange());
        Row("i-exp", "x in [-20, 0], S=1e-4, before normalization", ExpNegativeAxis(1e-4));
        Row("i-exp", "x in [-20, 0], S=0.05, before normalization", ExpNegativeAxis(0.05));
        foreach (var w in new[] { 1, 5, 16, 17, 128, 768, 3072 })
        {
            Row("Softmax", string.Create(CultureInfo.InvariantCulture, $"width {w}, attention logits"), Softmax(w, 32, false, 11));
            Row("Softmax", string.Create(CultureInfo.InvariantCulture, $"width {w}, causal"), Softmax(w, Math.Min(w, 32), true, 12));
        }

        foreach (var w in new[] { 1, 5, 16, 17, 768, 3072 })
        {
            Row("LayerNorm", string.Create(CultureInfo.InvariantCulture, $"width {w}, int32 x + int8 residual"), LayerNorm(w, 16, false, 21));
            Row("LayerNorm", string.Create(CultureInfo.InvariantCulture, $"width {w}, int8 x + int8 residual"), LayerNorm(w, 16, true, 22));
        }

        foreach (var w in new[] { 1, 17, 768, 3072 })
        {
            Row("Residual add", string.Create(CultureInfo.InvariantCulture, $"width {w}, int32 x + int8 residual"), ResidualAdd(w, 16, false, 23));
            Row("Residual add", string.Create(CultureInfo.InvariantCulture, $"width {w}, int8 x + int8 residual"), ResidualAdd(w, 16, true, 24));
        }

        return sb.ToString();
    }

    private static double Normal(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
