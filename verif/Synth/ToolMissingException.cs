namespace HwGen.Verif.Synth;

/// <summary>A required external tool is not installed.</summary>
public sealed class ToolMissingException(string tool, string install)
    : Exception($"{tool} is not installed or not on PATH; install it with: {install}")
{
    /// <summary>The missing tool.</summary>
    public string Tool { get; } = tool;
}
