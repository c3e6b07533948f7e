using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Layers;
using HwGen.Software.Programs;

namespace HwGen.Software.Compiler;

/// <summary>
/// Collects the layer as phases and lays out the memories. Accumulator, top down: the relay row, γ/β (2·hidden/COLS
/// rows, loaded once per LayerNorm), two bias areas (one per scratchpad half), then the output buffers below.
/// Scratchpad: the identity in the top COLS rows, the rest in two halves that alternate phase by phase, each with A
/// at its bottom and B above.
/// </summary>
internal sealed partial class PhaseBuilder(DesignModel d, int hiddenBlocks)
{
    private readonly List<Phase> phases = [];
    private readonly List<int> phaseOp = [];
    private readonly List<(string Name, long Macs)> ops = [];
    private readonly List<PendingInstruction> preamble = [];
    private readonly DramImage image = new(d);
    private int[] opEnds = [];
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
            preamble.Add(Load(LoadTarget.Scratchpad, d.Cols, d.Cols, IdentityRow, value!.Address, value.StrideBytes));
        }
    }

    public int PhaseCount => phases.Count;

    /// <summary>Accumulator rows [0, this) hold output buffers.</summary>
    public int BufferTop => BiasRow(1);

    public (int Lo, int Hi) LowerWindow => (0, BufferTop / 2);

    public (int Lo, int Hi) UpperWindow => (BufferTop / 2, BufferTop);

    private int Relay => d.AccDepth - 1;

    private int GbRow => Relay - (2 * hiddenBlocks);

    private int BiasCap => hiddenBlocks;

    private int IdentityRow => d.SpDepth - d.Cols;

    private int SpHalf => IdentityRow / 2;

    /// <summary>
    /// With four or more scratchpad banks, each half is a group of banks: A (streamed on read port A) in its first
    /// bank, B (preloaded on port B) in the others, so a preload is never refused because A reads the same bank.
    /// </summary>
    private bool Banked => d.SpBanks >= 4;

    private int BankRows => d.SpDepth / d.SpBanks;

    private int BankedA(int half) => half * (d.SpBanks / 2) * BankRows;

    private (int Base, int Size) BankedB(int half)
    {
        var first = BankedA(half) + BankRows;
        var end = (half + 1) * (d.SpBanks / 2) * BankRows;
        return (first, Math.Min(end, IdentityRow) - first);
    }

    public void Op(string name, long macs) => ops.Add((name, macs));

    private int BiasRow(int half) => GbRow - ((half + 1) * BiasCap);

    public TensorRegion Tensor(string name, TensorRole role, int rows, int cols, sbyte[]? values) => image.Int8(name, role, rows, cols, values);

    /// <summary>Vectors as accumulator rows (see <see cref="DramImage.Blocks"/>).</summary>
    public TensorRegion Blocks(string name, int[][] vectors) => image.Blocks(name, vectors);

    private void Add(Phase ph)
    {
        phases.Add(ph);
        phaseOp.Add(ops.Count - 1);
    }

    /// <summary>
    /// Orders the phases (the loads of phase p+1 interleaved with the computes of phase p, unless they touch what phase
    /// p uses), then lets <see cref="TokenScheduler"/> set the tokens.
    /// </summary>
    public CompiledProgram Build(string workload, long macs, IReadOnlyDictionary<string, object> meta)
    {
        var order = new List<PendingInstruction>(preamble);
        var phaseEnd = new int[phases.Count];
        for (var i = 0; i < phases.Count; i++)
        {
            var ph = phases[i];
            if (ph.Loads.Count == 0 || ph.Computes.Count == 0)
            {
                throw new InvalidOperationException("compiler bug: a layer phase without loads or computes");
            }

            if (i == 0)
            {
                order.AddRange(ph.Loads);
            }

            var nextPhase = i + 1 < phases.Count ? phases[i + 1] : null;
            var hoist = nextPhase is not null && !TokenScheduler.Conflicts(d, ph.Computes.Concat(ph.Stores), nextPhase.Loads);
            if (hoist)
            {
                var loads = nextPhase!.Loads;
                var emitted = 0;
                for (var ci = 0; ci < ph.Computes.Count; ci++)
                {
                    order.Add(ph.Computes[ci]);
                    var upTo = (int)(((long)(ci + 1) * loads.Count + ph.Computes.Count - 1) / ph.Computes.Count);
                    while (emitted < upTo)
                    {
                        order.Add(loads[emitted++]);
                    }
                }
            }
            else
            {
                order.AddRange(ph.Computes);
            }

            order.AddRange(ph.Stores);
            if (nextPhase is not null && !hoist)
            {
                order.AddRange(nextPhase.Loads);
            }

            phaseEnd[i] = order.Count;
        }

        var (scheduled, position) = TokenScheduler.Schedule(d, order, Relay);
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

        return image.Build(workload, scheduled.Select(p => p.Build()).ToList(), macs, meta);
    }

    private static PendingInstruction Load(LoadTarget target, int rows, int cols, int local, long dram, long stride) =>
        PendingInstruction.Load(target, rows, cols, local, dram, stride);
}
