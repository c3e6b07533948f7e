using System.Text.RegularExpressions;
using HwGen.Software.Layers;

namespace HwGen.Verif;

/// <summary>
/// The per-operation view of one layer's RTL run: every operation's cycles, MACs, utilization, array idle cycles by
/// cause and the performance model's estimate, grouped one row per kind (per-head operations summed, with the heads in
/// <see cref="OperationReport.Parts"/>), and the totals. Built from the harness's per-cycle profile of the same run:
/// each cycle belongs to the operation whose instruction the execute unit works on or waits to start, so the rows add
/// up to the run's cycles.
/// </summary>
public sealed partial record LayerReport
{
    /// <summary>The layer, e.g. <c>bert-tiny hidden=128 heads=2 ffn=512 seq=64 post-ln</c>.</summary>
    public required string Layer { get; init; }

    /// <summary>One row per operation kind, in program order.</summary>
    public required IReadOnlyList<OperationReport> Operations { get; init; }

    /// <summary>Cycles of the run (the sum of the rows).</summary>
    public required long Cycles { get; init; }

    /// <summary>MACs of the layer / processing elements.</summary>
    public required double IdealCycles { get; init; }

    /// <summary>Ideal cycles / cycles.</summary>
    public required double Utilization { get; init; }

    /// <summary>The performance model's total (null when not estimated).</summary>
    public long? ModelledCycles { get; init; }

    /// <summary>The run's cycles split into array busy and idle causes.</summary>
    public required CycleBreakdown Breakdown { get; init; }

    /// <summary>Per attention head: QKᵀ and P·V array cycles, the Softmax's busy cycles and how many the array overlapped.</summary>
    public IReadOnlyList<AttentionHeadReport> Attention { get; init; } = [];

    /// <summary>Wall time of the Verilator simulation loop.</summary>
    public required double SimWallSeconds { get; init; }

    /// <summary>Simulated cycles per wall second.</summary>
    public required double CyclesPerSecond { get; init; }

    /// <summary>
    /// Builds the report from a run's profile. <paramref name="ops"/> are the compiled operations (contiguous instruction
    /// ranges in program order); <paramref name="modelled"/>, when given, the model's cycles per operation in the same order;
    /// <paramref name="programLength"/> the instructions the run was given (the cycles after its last execute instruction
    /// belong to the operation of its last instruction; by default, to the last operation).
    /// </summary>
    public static LayerReport Build(string layer, int processingElements, IReadOnlyList<LayerOp> ops, IReadOnlyList<long>? modelled, CosimReport report, int? programLength = null,
        IReadOnlyList<int>? opOf = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Build(layer, processingElements, ops, modelled, report.Profile, report.SimWallSeconds, report.CyclesPerSecond, programLength, opOf);
    }

    /// <summary>Builds the report from a profile (see the other overload); <paramref name="profile"/> null gives zero cycles.</summary>
    public static LayerReport Build(string layer, int processingElements, IReadOnlyList<LayerOp> ops, IReadOnlyList<long>? modelled,
        ExecProfile? profile, double simWallSeconds, double cyclesPerSecond, int? programLength = null, IReadOnlyList<int>? opOf = null)
    {
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentOutOfRangeException.ThrowIfLessThan(processingElements, 1);
        if (ops.Count == 0)
        {
            throw new ArgumentException("a layer has at least one operation", nameof(ops));
        }

        if (modelled is not null && modelled.Count != ops.Count)
        {
            throw new ArgumentException($"{modelled.Count} modelled operations for {ops.Count} operations", nameof(modelled));
        }

        // Cycles per operation: each profiled instruction belongs to the operation whose range holds it; the cycles after
        // the last execute instruction (keyed by the program length) belong to the operation of the last instruction.
        var counts = new long[ops.Count][];
        for (var i = 0; i < ops.Count; i++)
        {
            counts[i] = new long[ExecCauses.All.Count];
        }

        var attribution = new OpAttribution(ops, opOf);
        foreach (var (pc, row) in profile?.ByInstruction ?? new Dictionary<int, long[]>())
        {
            var key = programLength is { } length && pc >= length ? length - 1 : pc;
            var op = attribution.At(key);
            for (var c = 0; c < row.Length; c++)
            {
                counts[op][c] += row[c];
            }
        }

        OperationReport Row(string name, IReadOnlyList<int> members, IReadOnlyList<OperationReport> parts)
        {
            var breakdown = members.Aggregate(CycleBreakdown.Zero, (sum, i) => sum.Plus(CycleBreakdown.From(counts[i])));
            var macs = members.Sum(i => ops[i].Macs);
            return new OperationReport
            {
                Name = name,
                Count = members.Count,
                Instructions = members.Sum(i => ops[i].End - ops[i].Start),
                Macs = macs,
                Cycles = breakdown.Total,
                IdealCycles = (double)macs / processingElements,
                Utilization = breakdown.Total > 0 ? (double)macs / processingElements / breakdown.Total : 0,
                ModelledCycles = modelled is null ? null : members.Sum(i => modelled[i]),
                Breakdown = breakdown,
                Parts = parts,
            };
        }

        var rows = new List<OperationReport>();
        foreach (var group in Enumerable.Range(0, ops.Count).GroupBy(i => Kind(ops[i].Name)))
        {
            var members = group.ToList();
            var parts = members.Count > 1 ? members.Select(i => Row(ops[i].Name, [i], [])).ToList() : [];
            rows.Add(Row(group.Key, members, parts));
        }

        var total = rows.Aggregate(CycleBreakdown.Zero, (sum, r) => sum.Plus(r.Breakdown));
        var ideal = (double)ops.Sum(o => o.Macs) / processingElements;
        return new LayerReport
        {
            Layer = layer,
            Operations = rows,
            Cycles = total.Total,
            IdealCycles = ideal,
            Utilization = total.Total > 0 ? ideal / total.Total : 0,
            ModelledCycles = modelled?.Sum(),
            Breakdown = total,
            SimWallSeconds = simWallSeconds,
            CyclesPerSecond = cyclesPerSecond,
            Attention = AttentionHeadReport.From(ops, counts.Select(c => c[(int)ExecCause.ArrayActive]).ToList(), profile, opOf),
        };
    }

    /// <summary>
    /// The kind of an operation: the name without its head and packed-sequence parts, so <c>head3.pv</c> is a
    /// <c>pv</c> and <c>L2.S4.head3.qk_softmax</c> an <c>L2.qk_softmax</c>; other names are their own kind.
    /// </summary>
    public static string Kind(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return HeadOrSequence().Replace(name, string.Empty);
    }

    [GeneratedRegex(@"(?<=^|\.)(head|S)[0-9]+\.", RegexOptions.CultureInvariant)]
    private static partial Regex HeadOrSequence();
}
