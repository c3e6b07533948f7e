namespace HwGen.Software.Compiler;

/// <summary>One phase of a layer program: its loads, its computes and its store-queue instructions, in that order.</summary>
internal sealed class Phase
{
    public List<PendingInstruction> Loads { get; } = [];

    public List<PendingInstruction> Computes { get; } = [];

    public List<PendingInstruction> Stores { get; } = [];
}
