using System.Globalization;

namespace HwGen.Cli.Validation;

/// <summary>A number within [<paramref name="min"/>, <paramref name="max"/>]; the parser has already checked that it is a number.</summary>
internal sealed class RangeCheck(double min, double max, string? unit = null) : ArgumentCheck
{
    public override string? Problem(string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || double.IsNaN(v) || double.IsInfinity(v))
        {
            return "is not a finite number";
        }

        return v < min || v > max
            ? string.Create(CultureInfo.InvariantCulture, $"must be between {min:0.###} and {max:0.###}{(unit is null ? "" : " " + unit)}")
            : null;
    }
}
