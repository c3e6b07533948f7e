using System.Globalization;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Workloads;

/// <summary>
/// A seeded int8 GEMM, <c>C = requant(A·B)</c> with A (M×K) activation-like and B (K×N) weight-like,
/// both quantized symmetrically per tensor. The requantization scale is S_A·S_B/S_C with S_C
/// calibrated from the float product of the dequantized inputs.
/// </summary>
public sealed record GemmWorkload
{
    /// <summary>Rows of A and C.</summary>
    public required int M { get; init; }

    /// <summary>Columns of B and C.</summary>
    public required int N { get; init; }

    /// <summary>Reduction length.</summary>
    public required int K { get; init; }

    /// <summary>Seed the data was drawn from.</summary>
    public required ulong Seed { get; init; }

    /// <summary>A, row-major M×K.</summary>
    public required sbyte[] A { get; init; }

    /// <summary>B, row-major K×N.</summary>
    public required sbyte[] B { get; init; }

    /// <summary>Scale of A.</summary>
    public required double ScaleA { get; init; }

    /// <summary>Scale of B.</summary>
    public required double ScaleB { get; init; }

    /// <summary>Scale of C.</summary>
    public required double ScaleC { get; init; }

    /// <summary>The store-path requantization (multiplier, shift, ReLU).</summary>
    public required Requantization Requant { get; init; }

    /// <summary>When set, C = IntGelu(A·B) through the store path's GELU unit (FFN1 + GELU) instead of the requantization.</summary>
    public IntGeluConstants? Gelu { get; init; }

    /// <summary>Bits of a weight (B element): 8, or 4 (B in -8..7, packed two a byte in DRAM and loaded with <c>load int4</c>).</summary>
    public int WeightBits { get; init; } = 8;

    /// <summary>
    /// Per output channel (int4 with <c>chscale</c>): column j's scale of B and its requantization S_A·S_B[j]/S_C (one shared
    /// shift, <c>store col_mult</c>); null for one scale per tensor (<see cref="ScaleB"/>, <see cref="Requant"/>).
    /// </summary>
    public double[]? ColumnScalesB { get; init; }

    /// <summary>The per-column requantizations that go with <see cref="ColumnScalesB"/>, or null.</summary>
    public Requantization[]? ColumnRequant { get; init; }

    /// <summary>The requantization of output column <paramref name="j"/>.</summary>
    public Requantization RequantFor(int j) => ColumnRequant?[j] ?? Requant;

    /// <summary>The scale of B's column <paramref name="j"/>.</summary>
    public double ScaleBFor(int j) => ColumnScalesB?[j] ?? ScaleB;

    /// <summary>Useful MACs, M·N·K.</summary>
    public long Macs => (long)M * N * K;

    /// <summary>The canonical workload text.</summary>
    public string Spec => string.Create(CultureInfo.InvariantCulture, $"{(Gelu is null ? "gemm" : "gemm+gelu")}:M={M},N={N},K={K},seed={Seed}") + (Requant.Relu ? ",relu=1" : string.Empty) + (WeightBits == 4 ? ",wbits=4" : string.Empty)
        + (WeightBits == 4 && ColumnScalesB is null ? ",chscale=0" : string.Empty);

    /// <summary>Builds the workload a <see cref="WorkloadSpec"/> of kind gemm describes.</summary>
    public static GemmWorkload FromSpec(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Kind == "gemm+gelu")
        {
            return CreateGelu((int)spec.Get("M"), (int)spec.Get("N"), (int)spec.Get("K"), (ulong)spec.Get("seed", 1));
        }

        if (spec.Kind != "gemm")
        {
            throw new ArgumentException($"workload kind '{spec.Kind}' is not gemm", nameof(spec));
        }

        return Create((int)spec.Get("M"), (int)spec.Get("N"), (int)spec.Get("K"), (ulong)spec.Get("seed", 1), spec.Get("relu") == 1, spec.WeightBits(), spec.ChannelScales());
    }

    /// <summary>
    /// Draws the data. A: standard normal activations with ~1% of entries scaled ×6 (outliers).
    /// B: normal with σ = 0.02, with ~3% of output channels (columns, at least one when N ≥ 8) scaled ×8; with
    /// <paramref name="weightBits"/> 4 quantized to -7..7 instead of -127..127: per output channel with
    /// <paramref name="channelScales"/> (each column at its own clipped scale, <see cref="SymmetricQuantizer.QuantizeClippedColumns"/>),
    /// else S_B = max|B|/7.
    /// </summary>
    public static GemmWorkload Create(int m, int n, int k, ulong seed = 1, bool relu = false, int weightBits = 8, bool channelScales = false)
    {
        if (channelScales && weightBits != 4)
        {
            throw new ArgumentException("per-channel weight scales are for int4 weights", nameof(channelScales));
        }

        if (weightBits is not (4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(weightBits), weightBits, "weights are 4 or 8 bits");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var rng = new SeededRandom(seed);
        var aReal = new double[(long)m * k];
        for (var i = 0; i < aReal.Length; i++)
        {
            var x = rng.NextNormal();
            aReal[i] = rng.NextDouble() < 0.01 ? 6 * x : x;
        }

        var outlier = new bool[n];
        var outliers = n >= 8 ? Math.Max(1, n * 3 / 100) : 0;
        for (var i = 0; i < outliers; i++)
        {
            outlier[rng.Next(n)] = true;
        }

        var bReal = new double[(long)k * n];
        for (var t = 0; t < k; t++)
        {
            for (var j = 0; j < n; j++)
            {
                bReal[((long)t * n) + j] = 0.02 * rng.NextNormal() * (outlier[j] ? 8 : 1);
            }
        }

        var (a, sa) = SymmetricQuantizer.Quantize(aReal);
        var (b, sb) = weightBits == 4 ? SymmetricQuantizer.Quantize(bReal, Int4Packing.Max) : SymmetricQuantizer.Quantize(bReal);
        double[]? columnScales = null;
        if (channelScales)
        {
            (b, columnScales) = SymmetricQuantizer.QuantizeClippedColumns(bReal, k, Int4Packing.Max);
            sb = columnScales.Max();
        }

        var w = new GemmWorkload
        {
            M = m, N = n, K = k, Seed = seed, A = a, B = b, ScaleA = sa, ScaleB = sb, ScaleC = 1, Requant = Requantization.Reset, WeightBits = weightBits,
            ColumnScalesB = columnScales,
        };
        var cReal = w.FloatReference();
        var sc = SymmetricQuantizer.Scale(cReal);
        if (columnScales is not null)
        {
            var columns = Requantizer.FromScales(columnScales.Select(s => sa * s / sc).ToArray(), relu);
            return w with { ScaleC = sc, ColumnRequant = columns, Requant = columns[0] };
        }

        return w with { ScaleC = sc, Requant = Requantizer.FromScale(sa * sb / sc, relu) };
    }

    /// <summary>
    /// The same data with GELU fused into the store (FFN1 + GELU): the accumulators (scale S_A·S_B) go through I-GELU with
    /// constants for that scale and an int8 output scale of max|GELU(acc·S_A·S_B)|/127.
    /// </summary>
    public static GemmWorkload CreateGelu(int m, int n, int k, ulong seed = 1)
    {
        var w = Create(m, n, k, seed);
        var inputScale = w.ScaleA * w.ScaleB;
        var outputScale = SymmetricQuantizer.Scale(Array.ConvertAll(w.ReferenceAccumulators(), q => ReferenceFunctions.Gelu(q * inputScale)));
        return w with { Gelu = IntGeluConstants.FromScale(inputScale, outputScale), ScaleC = outputScale };
    }

    /// <summary>For a fused GELU: the exact float GELU of the dequantized accumulators, row-major M×N.</summary>
    public double[] GeluFloatReference() => Array.ConvertAll(ReferenceAccumulators(), q => ReferenceFunctions.Gelu(q * ScaleA * ScaleB));

    /// <summary>The int32 accumulators straight from the definition (wrapping MACs, no tiling), row-major M×N.</summary>
    public int[] ReferenceAccumulators()
    {
        var c = new int[(long)M * N];
        for (var i = 0; i < M; i++)
        {
            for (var t = 0; t < K; t++)
            {
                var a = A[((long)i * K) + t];
                for (var j = 0; j < N; j++)
                {
                    var at = ((long)i * N) + j;
                    c[at] = IntegerMac.Mac(c[at], a, B[((long)t * N) + j]);
                }
            }
        }

        return c;
    }

    /// <summary>The int8 output C = requant(A·B), row-major M×N: the bit-exact expectation.</summary>
    public sbyte[] ReferenceOutput() => Gelu is { } g
        ? Array.ConvertAll(ReferenceAccumulators(), q => IntGelu.Apply(q, g))
        : ReferenceAccumulators().Select((q, e) => RequantFor(e % N).Apply(q)).ToArray();

    /// <summary>The float product of the dequantized inputs (double precision), row-major M×N.</summary>
    public double[] FloatReference()
    {
        var c = new double[(long)M * N];
        for (var i = 0; i < M; i++)
        {
            for (var t = 0; t < K; t++)
            {
                var a = A[((long)i * K) + t] * ScaleA;
                for (var j = 0; j < N; j++)
                {
                    c[((long)i * N) + j] += a * B[((long)t * N) + j] * ScaleBFor(j);
                }
            }
        }

        if (Requant.Relu)
        {
            for (var i = 0; i < c.Length; i++)
            {
                c[i] = Math.Max(c[i], 0);
            }
        }

        return c;
    }
}
