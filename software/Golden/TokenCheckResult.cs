namespace HwGen.Software.Golden;

/// <summary>The verdict of <see cref="TokenChecker"/>.</summary>
/// <param name="Errors">Compiler errors (deadlock, counter overflow, meaningless flags); empty when the protocol is sound.</param>
/// <param name="MaxCounters">Largest value each counter reached (LD→EX, EX→LD, EX→ST, ST→EX) over the checked schedules.</param>
/// <param name="FinalCounters">Tokens left in each counter at the end (not an error, but a sign of unbalanced flags).</param>
public sealed record TokenCheckResult(IReadOnlyList<string> Errors, IReadOnlyList<int> MaxCounters, IReadOnlyList<int> FinalCounters)
{
    /// <summary>True when no error was found.</summary>
    public bool Ok => Errors.Count == 0;
}
