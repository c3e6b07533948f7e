using HwGen.Software.Layers;

namespace HwGen.Verif;

/// <summary>
/// The attention of one head in a layer's RTL run (issue 13, the attention view): the array cycles of its QKᵀ and of its
/// P·V, the store unit's busy cycles on its Softmax <c>normalize</c> instructions, and how many of those the array was
/// also taking rows (of any operation: the Softmax hidden under QKᵀ of the next tile or head, or under P·V). From the
/// harness profile: array cycles per execute instruction, store-unit busy cycles per store-queue instruction.
/// </summary>
/// <param name="Head">The head's operation prefix (<c>head3</c>, <c>L1.head3</c>, <c>S2.head0</c>).</param>
/// <param name="QkArrayCycles">Cycles the array took rows of the head's QKᵀ.</param>
/// <param name="SoftmaxCycles">Store-unit busy cycles on the head's Softmax normalizes.</param>
/// <param name="SoftmaxOverlapped">Of those, cycles in which the array also took rows.</param>
/// <param name="PvArrayCycles">Cycles the array took rows of the head's P·V (0 when a group's P·V is one operation named after its first head).</param>
public sealed record AttentionHeadReport(string Head, long QkArrayCycles, long SoftmaxCycles, long SoftmaxOverlapped, long PvArrayCycles)
{
    private const string Qk = ".qk_softmax";
    private const string Pv = ".pv";

    /// <summary>The Softmax's cycles hidden under array work, as a fraction of its busy cycles (1 when it had none).</summary>
    public double Overlap => SoftmaxCycles == 0 ? 1 : (double)SoftmaxOverlapped / SoftmaxCycles;

    /// <summary>
    /// One report per head, in program order, from the operations (contiguous instruction ranges), the array cycles per
    /// operation (<paramref name="arrayCycles"/>, same order) and the profile's store lines; empty without attention
    /// operations or store lines.
    /// </summary>
    public static IReadOnlyList<AttentionHeadReport> From(IReadOnlyList<LayerOp> ops, IReadOnlyList<long> arrayCycles, ExecProfile? profile, IReadOnlyList<int>? opOf = null)
    {
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentNullException.ThrowIfNull(arrayCycles);
        if (profile is null || profile.StoreByInstruction.Count == 0)
        {
            return [];
        }

        // The Softmax of each operation: every normalize's store-unit cycles go to the operation whose range holds it.
        var attribution = new OpAttribution(ops, opOf);
        var (busy, overlapped) = (new long[ops.Count], new long[ops.Count]);
        foreach (var (pc, a) in profile.StoreByInstruction)
        {
            var op = attribution.At(pc);
            if (a.Normalize && pc >= ops[0].Start && pc < ops[^1].End)
            {
                busy[op] += a.Busy;
                overlapped[op] += a.Overlapped;
            }
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ops.Count; i++)
        {
            index.TryAdd(ops[i].Name, i);
        }

        var list = new List<AttentionHeadReport>();
        for (var i = 0; i < ops.Count; i++)
        {
            if (ops[i].Name.EndsWith(Qk, StringComparison.Ordinal))
            {
                var head = ops[i].Name[..^Qk.Length];
                var pv = index.TryGetValue(head + Pv, out var j) ? arrayCycles[j] : 0;
                list.Add(new AttentionHeadReport(head, arrayCycles[i], busy[i], overlapped[i], pv));
            }
        }

        return list;
    }
}
