namespace HwGen.Verif;

/// <summary>The outcome of one fuzz case.</summary>
/// <param name="Case">The case as run.</param>
/// <param name="Verdict">Pass, mismatch, hang or skipped.</param>
/// <param name="Summary">One line: the first problem, or why the case was skipped; empty on a pass.</param>
/// <param name="Cycles">Cycles the RTL took (0 when skipped).</param>
/// <param name="Disagreement">For a mismatch: which side disagreed (RTL vs golden, or golden vs the untiled reference).</param>
public sealed record FuzzResult(FuzzCase Case, FuzzVerdict Verdict, string Summary, long Cycles, Disagreement Disagreement = Disagreement.None)
{
    /// <summary>True for a mismatch or a hang.</summary>
    public bool Failed => Verdict is FuzzVerdict.Mismatch or FuzzVerdict.Hang;
}
