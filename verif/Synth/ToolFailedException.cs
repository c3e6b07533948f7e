namespace HwGen.Verif.Synth;

/// <summary>An external tool ran and failed.</summary>
public sealed class ToolFailedException(string message) : Exception(message);
