using System.Numerics;

namespace HwGen.Models;

/// <summary>The float32 kernels of <see cref="FloatEncoder"/>: LayerNorm over rows, a dense projection, and vector helpers.</summary>
internal static class FloatKernels
{
    public static void LayerNorm(float[] x, int n, LayerNormWeights ln)
    {
        var h = ln.Width;
        var gamma = ln.Gamma.Row(0);
        var beta = ln.Beta.Row(0);
        for (var t = 0; t < n; t++)
        {
            var row = x.AsSpan(t * h, h);
            var mean = Sum(row) / h;
            var variance = 0f;
            foreach (var v in row)
            {
                variance += (v - mean) * (v - mean);
            }

            variance /= h;
            var std = MathF.Sqrt(variance + ln.Epsilon);
            for (var i = 0; i < h; i++)
            {
                row[i] = (((row[i] - mean) / std) * gamma[i]) + beta[i];
            }
        }
    }

    public static float[] Linear(float[] x, int n, PreparedLinear lin)
    {
        var inW = lin.In;
        var outW = lin.Out;
        var y = new float[n * outW];
        for (var t = 0; t < n; t++)
        {
            var yr = y.AsSpan(t * outW, outW);
            lin.Bias.CopyTo(yr);
            var xr = x.AsSpan(t * inW, inW);
            for (var k = 0; k < inW; k++)
            {
                Axpy(yr, xr[k], lin.Weight.AsSpan(k * outW, outW));
            }
        }

        return y;
    }

    public static void Axpy(Span<float> y, float a, ReadOnlySpan<float> x)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(a);
            for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (new Vector<float>(y[i..]) + (va * new Vector<float>(x[i..]))).CopyTo(y[i..]);
            }
        }

        for (; i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var s = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    public static void Add(Span<float> y, ReadOnlySpan<float> x)
    {
        for (var i = 0; i < y.Length; i++)
        {
            y[i] += x[i];
        }
    }

    /// <summary>The sum of <paramref name="x"/>, added left to right.</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        var s = 0f;
        foreach (var v in x)
        {
            s += v;
        }

        return s;
    }
}
