using System.Globalization;

namespace HwGen.Models;

/// <summary>
/// The budget of the mask search: the fraction of the unpruned model's MACs (at the sample's mean sentence length)
/// and/or of its cycles (the performance model's, <see cref="PruneCycleModel"/>) the pruned model may keep; the search
/// removes heads and filters until every given budget is met.
/// </summary>
/// <param name="Macs">Fraction of the MACs to keep, or null for no MAC budget.</param>
/// <param name="Cycles">Fraction of the modelled cycles to keep, or null for no cycle budget.</param>
public sealed record PruneBudget(double? Macs, double? Cycles)
{
    /// <summary>The first problem of the budget (a fraction outside (0, 1], or no budget at all), or null.</summary>
    public string? Error()
    {
        foreach (var (name, v) in new[] { ("MAC", Macs), ("cycle", Cycles) })
        {
            if (v is { } f && !(f > 0 && f <= 1))
            {
                return string.Create(CultureInfo.InvariantCulture, $"the {name} budget must be a fraction in (0, 1], got {f}");
            }
        }

        return Macs is null && Cycles is null ? "give a MAC budget, a cycle budget or both" : null;
    }
}
