namespace HwGen.Verif;

/// <summary>Busy and stall (token wait) cycles of one unit.</summary>
/// <param name="Busy">Cycles with an instruction in progress.</param>
/// <param name="Wait">Cycles holding an instruction that waits for a dependency token.</param>
/// <param name="BusyFraction">Busy / total cycles.</param>
public sealed record UnitActivity(ulong Busy, ulong Wait, double BusyFraction);
