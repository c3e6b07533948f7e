namespace HwGen.Verif;

/// <summary>The outcome of one fuzz case.</summary>
/// <param name="Case">The case as run.</param>
/// <param name="Verdict">Pass, mismatch, hang or skipped.</param>
/// <param name="Summary">One line: the first problem, or why the case was skipped; empty on a pass.</param>
/// <param name="Cycles">Cycles the RTL took (0 when skipped).</param>
/// <param name="Disagreement">For a mismatch: which side disagreed (RTL vs golden, or golden vs the untiled reference).</param>
public sealed record FuzzResult(FuzzCase Case, FuzzVerdict Verdict, string Summary, long Cycles, Disagreement Disagreement = Disagreement.None)
{
    /// <summary>True for a mismatch or an unexpected hang.</summary>
    public bool Failed => Verdict is FuzzVerdict.Mismatch or FuzzVerdict.Hang;

    /// <summary>The command line that reproduces the case alone (for a fault that changes the program: the changed program and image, written under the output folder when the case fails).</summary>
    public string ReproCommand { get; init; } = string.Empty;

    /// <summary>What the injected fault changed (empty without one).</summary>
    public string Injected { get; init; } = string.Empty;

    /// <summary>The fault the golden model predicted and the RTL had to report (<c>none</c> when the run completed).</summary>
    public string GoldenFault { get; init; } = "none";

    /// <summary>True when the case was built never to end and the watchdog called it a hang, as required.</summary>
    public bool ExpectedHang { get; init; }

    /// <summary>Wall time of the case: compiling, the golden model and the RTL run.</summary>
    public double Seconds { get; init; }
}
