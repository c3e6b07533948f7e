using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Layers;
using HwGen.Software.Programs;

namespace HwGen.Software.Compiler;

/// <summary>
/// The kernel library of every workload (graphs, the standalone GEMM, the standalone row operations): collects GEMM
/// (<see cref="GemmKernel"/>), attention and row kernels as phases (loads, computes, store-path instructions) in the
/// local memories the <see cref="MemoryPlan"/> lays out, places their tensors with <see cref="DramImage"/>, and orders
/// the phases for <see cref="TokenScheduler"/>. <paramref name="hiddenBlocks"/> sizes the plan's γ/β and bias areas.
/// </summary>
internal sealed partial class PhaseBuilder(DesignModel d, int hiddenBlocks, int affineRows = 2, bool geluColumns = false)
{
    private readonly List<Phase> phases = [];
    private readonly List<int> phaseOp = [];

    // The operation each phase's cycles belong to, where that is not the operation it was emitted under (the score tiles
    // key-blocked attention software-pipelines into the next operation's range); null while phases follow their ranges.
    private List<int>? phaseOwner;
    private int[]? opOf;
    private readonly List<(string Name, long Macs)> ops = [];
    private readonly List<PendingInstruction> preamble = [];
    private readonly DramImage image = new(d);
    private readonly MemoryPlan plan = MemoryPlan.For(d, hiddenBlocks, affineRows, geluColumns);
    private int[] opEnds = [];
    private bool relayRowUsed;

    /// <summary>Weight-stationary epilogues so far: their per-column constants alternate between the plan's two areas.</summary>
    private int columnSlot;

    /// <summary>The bias area the next user takes (<c>TakeBiasArea</c>), and the one the current column group took.</summary>
    private int biasArea, groupBias;
    private TensorRegion? identity;

    public IReadOnlyList<LayerOp> Ops
    {
        get
        {
            var list = new List<LayerOp>();
            for (var i = 0; i < ops.Count; i++)
            {
                list.Add(new LayerOp(ops[i].Name, i == 0 ? 0 : opEnds[i - 1], opEnds[i], ops[i].Macs));
            }

            return list;
        }
    }

    public TensorRegion? Identity
    {
        get => identity;
        set
        {
            identity = value;
            preamble.Add(PendingInstruction.Load(LoadTarget.Scratchpad, d.Cols, d.Cols, plan.IdentityRow, value!.Address, value.StrideBytes));
        }
    }

    public int PhaseCount => phases.Count;

    /// <summary>The memory plan every kernel of this builder places its buffers in.</summary>
    public MemoryPlan Plan => plan;

    /// <summary>The design the phases are built for.</summary>
    public DesignModel Design => d;

    /// <summary>Accumulator rows of the output buffers of the attention scores (QKᵀ+Softmax).</summary>
    public (int Lo, int Hi) LowerWindow => plan.LowerWindow;

    /// <summary>Accumulator rows of the output buffers of P·V.</summary>
    public (int Lo, int Hi) UpperWindow => plan.UpperWindow;

    /// <summary>Opens an operation: the phases added from here on are its range. Returns its index.</summary>
    public int Op(string name, long macs)
    {
        ops.Add((name, macs));
        return ops.Count - 1;
    }

    /// <summary>
    /// The operation of every program instruction after <see cref="Build"/>, when some phase's cycles belong to another
    /// operation than the range it sits in (<see cref="Add(Phase, int)"/>); null when every instruction belongs to its range.
    /// </summary>
    public IReadOnlyList<int>? OpOf => opOf;

    public TensorRegion Tensor(string name, TensorRole role, int rows, int cols, sbyte[]? values, int causalSequence = 0) =>
        image.Int8(name, role, rows, cols, values, causalSequence);

    /// <summary>An int16 tensor (see <see cref="DramImage.Int16"/>).</summary>
    public TensorRegion Int16(string name, TensorRole role, int rows, int cols, short[]? values) => image.Int16(name, role, rows, cols, values);

    /// <summary>A packed int4 input tensor (two signed nibbles a byte; values in -8..7).</summary>
    public TensorRegion Int4(string name, int rows, int cols, sbyte[] values, bool packedStride = false) => image.Int4(name, rows, cols, values, packedStride);

    /// <summary>An int32 input tensor (see <see cref="DramImage.Int32"/>).</summary>
    public TensorRegion Int32(string name, int rows, int cols, int[] values) => image.Int32(name, rows, cols, values);

    /// <summary>Instructions that run once before the first phase (constants, γ/β loads).</summary>
    public void Preamble(IEnumerable<PendingInstruction> instructions) => preamble.AddRange(instructions);

    /// <summary>Vectors as accumulator rows (see <see cref="DramImage.Blocks"/>).</summary>
    public TensorRegion Blocks(string name, int[][] vectors) => image.Blocks(name, vectors);

    /// <summary>Loads that go with the next phase (an int16 residual, which needs no compute of its own).</summary>
    private readonly List<PendingInstruction> carriedLoads = [];

    /// <summary>Loads a phase issues ahead of its computes at most (<see cref="DeferLoads"/>): well under the token counters' 255.</summary>
    private const int MaxLeadingLoads = 192;

    public void Add(Phase ph)
    {
        ph.Loads.InsertRange(0, carriedLoads);
        carriedLoads.Clear();
        phases.Add(ph);
        phaseOp.Add(ops.Count - 1);
        phaseOwner?.Add(ops.Count - 1);
    }

    /// <summary>
    /// Adds a phase that sits in the current operation's range but whose cycles belong to operation <paramref name="owner"/>
    /// (an earlier one, software-pipelined into this range); the reports attribute its instructions by <see cref="OpOf"/>.
    /// </summary>
    public void Add(Phase ph, int owner)
    {
        if (owner != ops.Count - 1 && phaseOwner is null)
        {
            phaseOwner = [.. phaseOp];
        }

        Add(ph);
        if (phaseOwner is not null)
        {
            phaseOwner[^1] = owner;
        }
    }

    /// <summary>
    /// Orders the phases (the loads of phase p+1 interleaved with the computes of phase p, unless they touch what phase
    /// p uses or phase p has no computes), then lets <see cref="TokenScheduler"/> set the tokens. With
    /// <paramref name="leadingLoads"/> each share of loads goes before the computes it keeps pace with instead of after
    /// them (the streamed GEMM's order; graphs were measured with the other). With <paramref name="boundLoadLead"/> a phase
    /// with more than <see cref="MaxLeadingLoads"/> loads places the rest among its own computes (<see cref="DeferLoads"/>).
    /// </summary>
    public CompiledProgram Build(string workload, long macs, IReadOnlyDictionary<string, object> meta, IReadOnlyList<KernelReference>? references = null,
        bool leadingLoads = false, bool boundLoadLead = false)
    {
        var order = new List<PendingInstruction>(preamble);
        var phaseEnd = new int[phases.Count];
        var deferred = phases.Select(p => boundLoadLead ? DeferLoads(p) : []).ToList();
        for (var i = 0; i < phases.Count; i++)
        {
            var ph = phases[i];
            if (ph.Loads.Count == 0 || ph.Computes.Count + ph.Stores.Count == 0)
            {
                throw new InvalidOperationException("compiler bug: a phase without loads, or without computes and stores");
            }

            if (i == 0)
            {
                order.AddRange(ph.Loads);
            }

            var computes = deferred[i].Count == 0 ? ph.Computes : AmongComputes(ph.Computes, deferred[i]);

            var nextPhase = i + 1 < phases.Count ? phases[i + 1] : null;
            var hoist = nextPhase is not null && ph.Computes.Count > 0 && !TokenScheduler.Conflicts(d, ph.Computes.Concat(ph.Stores), nextPhase.Loads);
            if (hoist)
            {
                // The next phase's loads spread among this phase's computes by time (LoadSpread; with leadingLoads the
                // loads lead). Weighing by time rather than count keeps a phase's few long weight loads from all landing
                // after its many short operand loads, at the end of the computes they should hide under.
                var loads = nextPhase!.Loads;
                var (loadTotal, computeTotal) = (loads.Sum(Weight), computes.Sum(Weight));
                double loadDone = 0, computeDone = 0;
                for (int li = 0, ci = 0; li < loads.Count || ci < computes.Count;)
                {
                    if (li < loads.Count && (ci >= computes.Count || LoadSpread.LoadFirst(loadDone, loadTotal, computeDone, computeTotal, leadingLoads)))
                    {
                        loadDone += Weight(loads[li]);
                        order.Add(loads[li++]);
                    }
                    else
                    {
                        computeDone += Weight(computes[ci]);
                        order.Add(computes[ci++]);
                    }
                }
            }
            else
            {
                order.AddRange(computes);
            }

            order.AddRange(ph.Stores);
            if (nextPhase is not null && !hoist)
            {
                order.AddRange(nextPhase.Loads);
            }

            phaseEnd[i] = order.Count;
        }

        var (scheduled, position) = TokenScheduler.Schedule(d, order, relayRowUsed ? null : plan);
        opEnds = new int[ops.Count];
        for (var i = 0; i < phases.Count; i++)
        {
            var end = phaseEnd[i] < order.Count ? position[phaseEnd[i]] : scheduled.Count;
            opEnds[phaseOp[i]] = Math.Max(opEnds[phaseOp[i]], end);
        }

        for (var i = 1; i < opEnds.Length; i++)
        {
            opEnds[i] = Math.Max(opEnds[i], opEnds[i - 1]);
        }

        opOf = phaseOwner is null ? null : Owners(order, scheduled.Count, position, deferred);
        return image.Build(workload, scheduled.Select(p => p.Build()).ToList(), macs, meta, references);
    }

    /// <summary>
    /// The owning operation (<see cref="phaseOwner"/>) of each of the <paramref name="count"/> scheduled instructions: an
    /// instruction of <paramref name="order"/> takes its phase's owner; one the scheduler added takes the one before it's.
    /// </summary>
    private int[] Owners(List<PendingInstruction> order, int count, int[] position, List<List<PendingInstruction>> deferred)
    {
        var owner = new Dictionary<PendingInstruction, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < phases.Count; i++)
        {
            foreach (var insn in phases[i].Loads.Concat(phases[i].Computes).Concat(phases[i].Stores).Concat(deferred[i]))
            {
                owner[insn] = phaseOwner![i];
            }
        }

        var result = Enumerable.Repeat(-1, count).ToArray();
        for (var k = 0; k < order.Count; k++)
        {
            result[position[k]] = owner.TryGetValue(order[k], out var op) ? op : 0;
        }

        for (var pc = 0; pc < count; pc++)
        {
            result[pc] = result[pc] >= 0 ? result[pc] : pc == 0 ? 0 : result[pc - 1];
        }

        return result;
    }

    /// <summary>An instruction's weight in the spread of loads among computes (<see cref="LoadSpread"/>).</summary>
    private double Weight(PendingInstruction p)
    {
        var v = p.View;
        return v.Opcode switch
        {
            Opcode.Load => LoadSpread.Load(v.Rows, v.LoadRowBytes, d.AxiDataBits / 8),
            Opcode.Compute => LoadSpread.Compute(v.Dataflow == Dataflow.Os, v.Rows, v.K),
            _ => 1,
        };
    }

    /// <summary>
    /// A phase with more loads than <see cref="MaxLeadingLoads"/> (the one-row QKᵀ of a decode step over a long cache: four
    /// transposed loads per key block) keeps the first of them where phases put their loads and returns the rest, which
    /// <see cref="Build"/> places among the phase's own computes. Otherwise the load unit, which nothing holds back when
    /// every load has its own buffer, would push more LD→EX tokens ahead of the computes than a token counter (255)
    /// counts; placed among the computes they need them, the fetch order holds it within a queue's depth of them.
    /// </summary>
    private static List<PendingInstruction> DeferLoads(Phase ph)
    {
        if (ph.Loads.Count <= MaxLeadingLoads)
        {
            return [];
        }

        var rest = ph.Loads.GetRange(MaxLeadingLoads, ph.Loads.Count - MaxLeadingLoads);
        ph.Loads.RemoveRange(MaxLeadingLoads, rest.Count);
        return rest;
    }

    /// <summary>
    /// <paramref name="computes"/> with each of the <paramref name="late"/> loads just before the first compute that reads
    /// what it writes; loads no compute needs go after the last.
    /// </summary>
    private List<PendingInstruction> AmongComputes(List<PendingInstruction> computes, List<PendingInstruction> late)
    {
        var left = new List<PendingInstruction>(late);
        var order = new List<PendingInstruction>(computes.Count + late.Count);
        foreach (var compute in computes)
        {
            var needed = left.FindAll(l => TokenScheduler.Conflicts(d, [l], [compute]));
            left.RemoveAll(needed.Contains);
            order.AddRange(needed);
            order.Add(compute);
        }

        order.AddRange(left);
        return order;
    }
}
