using HwGen.Generator.Design;

namespace HwGen.Software.Compiler;

/// <summary>
/// Where the compiler puts its buffers. Scratchpad: the A operand in the lower half and B in the
/// upper half (so with ≥ 2 banks the array's port-A stream and port-B preload never hit the same
/// bank), each half split into two double-buffer quarters. Accumulator: two halves (one bank each
/// with 2 banks), so the store unit reads one while the array writes the other.
/// </summary>
/// <param name="SpBufferRows">Rows of each of the four scratchpad buffers (SP_DEPTH/4).</param>
/// <param name="AccBufferRows">Rows of each accumulator buffer (ACC_DEPTH/2).</param>
public sealed record MemoryPlan(int SpBufferRows, int AccBufferRows)
{
    /// <summary>The plan for a design.</summary>
    public static MemoryPlan For(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new MemoryPlan(d.SpDepth / 4, d.AccDepth / 2);
    }

    /// <summary>First scratchpad row of A buffer <paramref name="buffer"/> (0 or 1).</summary>
    public int ABuffer(int buffer) => buffer * SpBufferRows;

    /// <summary>First scratchpad row of B buffer <paramref name="buffer"/> (0 or 1).</summary>
    public int BBuffer(int buffer) => (2 + buffer) * SpBufferRows;

    /// <summary>First accumulator row of buffer <paramref name="buffer"/> (0 or 1).</summary>
    public int AccBuffer(int buffer) => buffer * AccBufferRows;

    /// <summary>The accumulator row relay computes overwrite (the last one); no kernel keeps data there.</summary>
    public static int RelayRow(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d.AccDepth - 1;
    }

    /// <summary>
    /// True when every accumulator row of x (first row xRow) and of the residual (residualRow) of a normalize spanning
    /// span rows lie in different banks (each range inside one bank), so the store unit reads a block's x and residual
    /// in one cycle (LayerNorm, add). Kernels place residuals by it; the performance model times normalize by it.
    /// </summary>
    public static bool PairedReads(DesignModel d, long xRow, long residualRow, long span)
    {
        ArgumentNullException.ThrowIfNull(d);
        var bankRows = d.AccDepth / d.AccBanks;
        long Bank(long row) => row / bankRows;
        return span >= 1 && d.AccBanks > 1 && Bank(xRow) == Bank(xRow + span - 1) && Bank(residualRow) == Bank(residualRow + span - 1)
               && Bank(xRow) != Bank(residualRow);
    }
}
