namespace HwGen.Verif.Synth;

/// <summary>Place-and-route outcome for iCE40.</summary>
/// <param name="Device">nextpnr device option, e.g. <c>hx8k</c>.</param>
/// <param name="Package">Package, e.g. <c>ct256</c>.</param>
/// <param name="FmaxMhz">Achieved maximum frequency of <c>clk</c>.</param>
/// <param name="LogicCellsUsed">ICESTORM_LC cells used.</param>
/// <param name="LogicCellsAvailable">ICESTORM_LC cells on the device.</param>
/// <param name="RamsUsed">ICESTORM_RAM cells used.</param>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="LogPath">Full nextpnr log.</param>
public sealed record NextpnrResult(string Device, string Package, double FmaxMhz, long LogicCellsUsed, long LogicCellsAvailable, long RamsUsed, double Seconds, string LogPath);
