namespace HwGen.Verif;

/// <summary>A failing case, with the smallest variant that still fails.</summary>
/// <param name="Original">The case as drawn.</param>
/// <param name="Shrunk">The smallest failing variant found (the original when nothing smaller fails).</param>
public sealed record FuzzFailure(FuzzResult Original, FuzzResult Shrunk);
