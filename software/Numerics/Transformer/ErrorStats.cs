using System.Globalization;

namespace HwGen.Software.Numerics.Transformer;

/// <summary>Error of an integer kernel against the exact float function, in real units and in output LSBs.</summary>
/// <param name="Count">Number of compared values.</param>
/// <param name="MaxAbs">Largest absolute error (real units).</param>
/// <param name="Rms">Root-mean-square error (real units).</param>
/// <param name="Lsb">Real value of one output LSB used for the LSB figures.</param>
public sealed record ErrorStats(long Count, double MaxAbs, double Rms, double Lsb)
{
    /// <summary>Largest absolute error in output LSBs.</summary>
    public double MaxAbsLsb => MaxAbs / Lsb;

    /// <summary>RMS error in output LSBs.</summary>
    public double RmsLsb => Rms / Lsb;

    /// <summary>Accumulates errors (test values against reference values).</summary>
    public static ErrorStats Measure(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, double lsb)
    {
        if (actual.Length != expected.Length)
        {
            throw new ArgumentException("the two vectors differ in length", nameof(expected));
        }

        var max = 0.0;
        var sq = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            var e = Math.Abs(actual[i] - expected[i]);
            max = Math.Max(max, e);
            sq += e * e;
        }

        return new ErrorStats(actual.Length, max, actual.Length == 0 ? 0 : Math.Sqrt(sq / actual.Length), lsb);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"n={Count} max={MaxAbs:E3} rms={RmsLsb * Lsb:E3} max_lsb={MaxAbsLsb:F3} rms_lsb={RmsLsb:F3}");
}
