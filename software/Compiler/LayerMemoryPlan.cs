using HwGen.Generator.Design;

namespace HwGen.Software.Compiler;

/// <summary>
/// Where the graph kernels keep things in local memory. Accumulator, top down: the relay row, γ/β (2·blocks of the
/// residual width, loaded once per LayerNorm), two bias areas (one per scratchpad half), then the output buffers below.
/// Scratchpad: the identity in the top COLS rows, the rest in two halves that alternate phase by phase, each with A at
/// its bottom and B above (or, with four or more banks, A and B in separate banks of each half).
/// </summary>
/// <param name="d">The design.</param>
/// <param name="hiddenBlocks">COLS-wide blocks of the widest LayerNorm or bias row.</param>
internal sealed class LayerMemoryPlan(DesignModel d, int hiddenBlocks)
{
    /// <summary>Accumulator rows [0, this) hold output buffers.</summary>
    public int BufferTop => BiasRow(1);

    public (int Lo, int Hi) LowerWindow => (0, BufferTop / 2);

    public (int Lo, int Hi) UpperWindow => (BufferTop / 2, BufferTop);

    public int Relay => MemoryPlan.RelayRow(d);

    public int GbRow => Relay - (2 * hiddenBlocks);

    public int BiasCap => hiddenBlocks;

    public int IdentityRow => d.SpDepth - d.Cols;

    public int SpHalf => IdentityRow / 2;

    /// <summary>
    /// With four or more scratchpad banks, each half is a group of banks: A (streamed on read port A) in its first
    /// bank, B (preloaded on port B) in the others, so a preload is never refused because A reads the same bank.
    /// </summary>
    public bool Banked => d.SpBanks >= 4;

    public int BankRows => d.SpDepth / d.SpBanks;

    public int BankedA(int half) => half * (d.SpBanks / 2) * BankRows;

    public (int Base, int Size) BankedB(int half)
    {
        var first = BankedA(half) + BankRows;
        var end = (half + 1) * (d.SpBanks / 2) * BankRows;
        return (first, Math.Min(end, IdentityRow) - first);
    }

    public int BiasRow(int half) => GbRow - ((half + 1) * BiasCap);
}
