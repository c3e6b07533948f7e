namespace HwGen.Verif;

/// <summary>What the harness's AXI memory model saw.</summary>
/// <param name="ReadBursts">AR handshakes.</param>
/// <param name="WriteBursts">AW handshakes.</param>
/// <param name="ReadBeats">R beats delivered.</param>
/// <param name="WriteBeats">W beats accepted.</param>
/// <param name="WriteResponses">B responses delivered.</param>
/// <param name="ReadErrors">Read bursts answered SLVERR or DECERR.</param>
/// <param name="WriteErrors">Write bursts answered SLVERR or DECERR.</param>
/// <param name="ReadsOutstanding">Read bursts still open when the run ended.</param>
/// <param name="WritesOutstanding">Write bursts still open when the run ended.</param>
public sealed record AxiStatistics(
    long ReadBursts,
    long WriteBursts,
    long ReadBeats,
    long WriteBeats,
    long WriteResponses,
    long ReadErrors,
    long WriteErrors,
    long ReadsOutstanding,
    long WritesOutstanding);
