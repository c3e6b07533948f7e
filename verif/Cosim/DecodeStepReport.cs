using HwGen.Software.Decode;

namespace HwGen.Verif;

/// <summary>
/// One program of a co-simulated generation: the prefill (<see cref="Step"/> = −1) or a decode step, its RTL-vs-golden
/// comparison, its DRAM traffic and its roofline.
/// </summary>
/// <param name="Step">The program's index in the generation (a whole-prompt model: -1 for its prefill, then the decode step).</param>
/// <param name="Context">Cache rows its attention covered.</param>
/// <param name="Input">The token the step fed (−1 for the prefill).</param>
/// <param name="Next">The greedy choice from its logits.</param>
/// <param name="Cosim">The comparison: whole DRAM image (cache rows and logits included) of RTL and golden model.</param>
/// <param name="Traffic">DRAM bytes by kind, from the program's instructions.</param>
/// <param name="AxiBytesPerBeat">AXI data width in bytes (one beat per cycle per direction).</param>
/// <param name="Pes">Processing elements of the array.</param>
public sealed record DecodeStepReport(int Step, int Context, int Input, int Next, CosimReport Cosim, DecodeTraffic Traffic, int AxiBytesPerBeat, int Pes)
{
    /// <summary>The step's sequences, start rows and tokens.</summary>
    public DecodeShape? Shape { get; init; }

    /// <summary>The tokens it fed, in row order.</summary>
    public IReadOnlyList<int> Fed { get; init; } = [];

    /// <summary>Its golden logits rows.</summary>
    public IReadOnlyList<long[]> Logits { get; init; } = [];

    /// <summary>The greedy choice of each logits row.</summary>
    public IReadOnlyList<int> Chosen { get; init; } = [];

    /// <summary>
    /// Per operation kind (summed over layers and heads): the RTL's cycles from its profile, the array's busy and idle
    /// cycles by cause, and the performance model's estimate. Null when not built.
    /// </summary>
    public LayerReport? Operations { get; init; }

    /// <summary>Token rows (M of the step's GEMMs).</summary>
    public int Rows => Shape?.Rows ?? 1;

    /// <summary>True for a decode step (every sequence appends one token), false for a prefill or a chunk.</summary>
    public bool IsDecode => Shape?.IsDecode ?? Step >= 0;

    /// <summary>"prefill" (a prompt, or a chunk of it), "decode" or "verify" (k tokens with logits for each).</summary>
    public string Kind => IsDecode ? "decode" : Shape?.Sequences.Any(q => q.Logits == LogitRows.All && q.PromptTokens == 0) == true ? "verify" : "prefill";

    /// <summary>Fraction of the array's multiply-accumulate slots used (MACs ÷ PEs ÷ cycles).</summary>
    public double Utilization => Cycles > 0 ? ComputeBoundCycles / Cycles : 0;

    /// <summary>Measured cycles.</summary>
    public long Cycles => Cosim.Cycles;

    /// <summary>Cycles if the array did nothing but its multiply-accumulates.</summary>
    public double ComputeBoundCycles => (double)Cosim.Macs / Pes;

    /// <summary>
    /// Cycles if the busier AXI direction moved nothing but its useful bytes, one beat a cycle: reads (loads and the
    /// program fetch) or writes.
    /// </summary>
    public double BandwidthBoundCycles => Math.Max(Traffic.ReadBytes + Traffic.ProgramBytes, Traffic.WriteBytes) / (double)AxiBytesPerBeat;

    /// <summary>The roofline bound: the larger of the two.</summary>
    public double BoundCycles => Math.Max(ComputeBoundCycles, BandwidthBoundCycles);

    /// <summary>Which bound is larger.</summary>
    public string Bound => BandwidthBoundCycles >= ComputeBoundCycles ? "bandwidth" : "compute";

    /// <summary>Bytes read (loads and fetch) per cycle.</summary>
    public double ReadBytesPerCycle => Cycles > 0 ? (Traffic.ReadBytes + Traffic.ProgramBytes) / (double)Cycles : 0;

    /// <summary>Bound ÷ measured cycles (1 = at the roofline).</summary>
    public double OfBound => Cycles > 0 ? BoundCycles / Cycles : 0;
}
