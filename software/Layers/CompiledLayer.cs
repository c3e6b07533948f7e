using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Performance;
using HwGen.Software.Programs;

namespace HwGen.Software.Layers;

/// <summary>A compiled layer and its operations, in program order (contiguous, covering the whole program).</summary>
/// <param name="Program">The program.</param>
/// <param name="Ops">Operations.</param>
public sealed record CompiledLayer(CompiledProgram Program, IReadOnlyList<LayerOp> Ops)
{
    /// <summary>
    /// The operation of every instruction where some instructions' cycles belong to another operation than the range
    /// that holds them (key-blocked attention); null when every instruction belongs to its range.
    /// </summary>
    public IReadOnlyList<int>? OpOf { get; init; }

    /// <summary>The operation each instruction's cycles belong to.</summary>
    public OpAttribution Attribution => new(Ops, OpOf);

    /// <summary>
    /// Modelled cycles per operation, attributed the way the RTL profile attributes them: the model's time between the
    /// execute unit freeing from one compute and from the next goes to the operation of the next; the tail after the
    /// last compute goes to the last operation. The rows add up to the modelled total.
    /// </summary>
    /// <param name="d">The design.</param>
    /// <param name="parameters">The model's parameters (the memory latency of the run); the defaults when null.</param>
    public IReadOnlyList<(LayerOp Op, long Cycles)> ModelledCycles(DesignModel d, PerfParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        var program = Program.Instructions;
        var free = new long[program.Count];
        var total = PerfModel.Estimate(d, program, Program.Macs, free, parameters).TotalCycles;
        var cycles = new long[Ops.Count];
        var attribution = Attribution;
        long before = 0;
        for (var pc = 0; pc < program.Count; pc++)
        {
            if (program[pc].Format.Unit == Unit.Execute)
            {
                cycles[attribution.At(pc)] += free[pc] - before;
                before = free[pc];
            }
        }

        cycles[OpOf is null ? Ops.Count - 1 : attribution.At(program.Count - 1)] += total - before;
        return Ops.Select((o, i) => (o, cycles[i])).ToList();
    }
}
