namespace HwGen.Software.Layers;

/// <summary>
/// Which operation an instruction's cycles belong to: the operation whose range holds it, or, where the compiler
/// software-pipelines one operation's instructions into the next's range (key-blocked attention issues the next tile's
/// scores before this tile's P·V), the operation recorded per instruction.
/// </summary>
public sealed class OpAttribution
{
    private readonly int[] starts;
    private readonly IReadOnlyList<int>? owners;

    /// <param name="ops">The operations (contiguous instruction ranges in program order).</param>
    /// <param name="owners">The operation of every instruction, or null when every instruction belongs to its range.</param>
    public OpAttribution(IReadOnlyList<LayerOp> ops, IReadOnlyList<int>? owners = null)
    {
        ArgumentNullException.ThrowIfNull(ops);
        starts = ops.Select(o => o.Start).ToArray();
        this.owners = owners;
    }

    /// <summary>The operation of instruction <paramref name="pc"/> (clamped to the first and last operation).</summary>
    public int At(int pc)
    {
        if (owners is not null && pc >= 0 && pc < owners.Count)
        {
            return owners[pc];
        }

        var at = Array.BinarySearch(starts, pc);
        return Math.Clamp(at >= 0 ? LastStartingAt(at) : ~at - 1, 0, starts.Length - 1);
    }

    // Operations without instructions share a start; the instruction belongs to the last of them.
    private int LastStartingAt(int at)
    {
        while (at + 1 < starts.Length && starts[at + 1] == starts[at])
        {
            at++;
        }

        return at;
    }
}
