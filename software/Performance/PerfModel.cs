using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Programs;

namespace HwGen.Software.Performance;

/// <summary>
/// Analytic cycle estimate of a program: a timed replay of the decoupled machine, instruction by instruction, with the
/// RTL's own rules (docs/performance.md, "The performance model"):
/// <list type="bullet">
/// <item>fetch: the instruction words share the AXI read-data channel (one beat per cycle) with the load unit, at most
///   the fetch buffer ahead of dispatch; dispatch is in order, one instruction per cycle, into bounded queues;</item>
/// <item>load: one AXI burst per DRAM row (its beats counted from the row's alignment; a second address cycle when it
///   crosses 4 KiB), or for a contiguous rectangle one row descriptor and merged bursts of up to 256 beats
///   (<see cref="LoadBursts"/>), one address per cycle, at most the DMA's outstanding bursts in flight, each burst's data after the
///   memory latency and the arbiter's register slice on the shared read channel; a transposed block is written out
///   column by column after its last row; the next load starts issuing addresses while the data of this one arrives;</item>
/// <item>compute WS: the execute unit's two slots. The weight preload (ROWS shifts) of the next compute starts when its
///   tokens are there and the switch flag of the previous stream has passed every PE (NTR + NTC − 3 cycles after its
///   first row), overlapping the stream in progress unless its B rows share a scratchpad bank with the stream's A rows;
///   the stream starts when the preload is done and the previous stream has issued its last row;</item>
/// <item>compute OS: k steps (two cycles each when A and B share a bank); the compute then moves to the drain slot once
///   the previous one has drained, its sums are captured by the next OS compute's first step (or a flush), and drain
///   NTR + NTC − 2 + ROWS cycles later behind the next compute's steps; a WS stream waits for the drain;</item>
/// <item>store: max(beats, rows, requantizer cycles) + overhead, plus the write-response latency before its push;</item>
/// <item>normalize: rows × max(block reads of its passes, the divider's time per row) + the last row's statistics + the
///   LayerNorm γ/β fill when <c>config_post ln_affine</c> emptied the cache; a residual block whose rows share a bank
///   reads twice.</item>
/// </list>
/// </summary>
public static class PerfModel
{
    /// <summary>Estimates a compiled program.</summary>
    public static PerfEstimate Estimate(DesignModel d, CompiledProgram program, PerfParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        return Estimate(d, program.Instructions, program.Macs, parameters);
    }

    /// <summary>Estimates a program; <paramref name="macs"/> gives the ideal cycles.</summary>
    public static PerfEstimate Estimate(DesignModel d, IReadOnlyList<Instruction> program, long macs, PerfParameters? parameters = null) =>
        Estimate(d, program, macs, null, parameters);

    /// <summary>
    /// As <see cref="Estimate(DesignModel, IReadOnlyList{Instruction}, long, PerfParameters?)"/>, and fills
    /// <paramref name="timeline"/>[pc] for every execute instruction with the last cycle the RTL's profile attributes to
    /// it: its last row (WS) or drain row (OS) has been issued, and, when the next compute is not yet in the execute unit,
    /// its rows have left the array.
    /// </summary>
    public static PerfEstimate Estimate(DesignModel d, IReadOnlyList<Instruction> program, long macs, long[]? timeline, PerfParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(program);
        return new PerfReplay(d, program, parameters ?? PerfParameters.Default).Run(macs, timeline);
    }
}
