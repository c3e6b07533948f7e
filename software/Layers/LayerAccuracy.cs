using System.Globalization;

namespace HwGen.Software.Layers;

/// <summary>Agreement of a dequantized integer tensor with its float reference.</summary>
/// <param name="Cosine">Cosine similarity.</param>
/// <param name="MaxAbs">Largest absolute error (real units).</param>
/// <param name="MaxAbsLsb">Largest absolute error in output LSBs.</param>
public sealed record LayerAccuracy(double Cosine, double MaxAbs, double MaxAbsLsb)
{
    /// <summary>Measures int8 <paramref name="actual"/> with scale <paramref name="scale"/> against <paramref name="expected"/>.</summary>
    public static LayerAccuracy Measure(ReadOnlySpan<sbyte> actual, double scale, ReadOnlySpan<double> expected)
    {
        if (actual.Length != expected.Length || actual.IsEmpty)
        {
            throw new ArgumentException($"the tensors differ in length ({actual.Length} vs {expected.Length}) or are empty", nameof(actual));
        }

        var real = new double[actual.Length];
        double max = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            real[i] = actual[i] * scale;
            max = Math.Max(max, Math.Abs(real[i] - expected[i]));
        }

        return new LayerAccuracy(CosineSimilarity(real, expected), max, max / scale);
    }

    /// <summary>
    /// Cosine similarity of two equally long vectors: 1 when both are zero, 0 when only one is.
    /// </summary>
    public static double CosineSimilarity(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"the vectors differ in length ({a.Length} vs {b.Length})", nameof(b));
        }

        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return na == 0 || nb == 0 ? (na == nb ? 1.0 : 0.0) : dot / Math.Sqrt(na * nb);
    }

    /// <summary>Short text for logs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"cos={Cosine:F5} max_abs={MaxAbs:G4} ({MaxAbsLsb:F1} LSB)");
}
