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

        double dot = 0, na = 0, ne = 0, max = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var a = actual[i] * scale;
            dot += a * expected[i];
            na += a * a;
            ne += expected[i] * expected[i];
            max = Math.Max(max, Math.Abs(a - expected[i]));
        }

        var cos = na == 0 || ne == 0 ? (na == ne ? 1.0 : 0.0) : dot / Math.Sqrt(na * ne);
        return new LayerAccuracy(cos, max, max / scale);
    }

    /// <summary>Short text for logs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"cos={Cosine:F5} max_abs={MaxAbs:G4} ({MaxAbsLsb:F1} LSB)");
}
