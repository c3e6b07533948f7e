namespace HwGen.Verif;

/// <summary>How a run ended.</summary>
public enum SimStatus
{
    /// <summary>DONE was set.</summary>
    Done,

    /// <summary>ERROR was set (ERR_CODE/ERR_PC hold the fault).</summary>
    Error,

    /// <summary>Neither within the cycle limit (or the register port hung).</summary>
    Timeout,

    /// <summary>The watchdog fired: no unit made progress for its window (see <see cref="HarnessResult.Stalled"/>).</summary>
    Hang,
}
