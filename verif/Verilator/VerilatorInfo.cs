namespace HwGen.Verif;

/// <summary>A located Verilator installation.</summary>
/// <param name="Path">Absolute path of the <c>verilator</c> executable.</param>
/// <param name="Version">Version line as printed by <c>verilator --version</c>, e.g. <c>Verilator 5.006 2023-01-22 rev (Debian 5.006-3)</c>.</param>
/// <param name="VersionNumber">The numeric version, e.g. <c>5.006</c>.</param>
public sealed record VerilatorInfo(string Path, string Version, string VersionNumber);
