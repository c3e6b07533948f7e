using HwGen.Generator.Design;
using HwGen.Software.Performance;
using HwGen.Software.Programs;

namespace HwGen.Software.Layers;

/// <summary>A compiled layer and its operations, in program order (contiguous, covering the whole program).</summary>
/// <param name="Program">The program.</param>
/// <param name="Ops">Operations.</param>
public sealed record CompiledLayer(CompiledProgram Program, IReadOnlyList<LayerOp> Ops)
{
    /// <summary>
    /// Modelled cycles per operation: the performance model's total for the program prefix that ends with the operation,
    /// minus the prefix before it (the phases are serialised by tokens, so little overlaps across a boundary).
    /// </summary>
    public IReadOnlyList<(LayerOp Op, long Cycles)> ModelledCycles(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var result = new List<(LayerOp, long)>();
        long before = 0;
        foreach (var op in Ops)
        {
            var total = PerfModel.Estimate(d, Program.Instructions.Take(op.End).ToList(), op.Macs).TotalCycles;
            result.Add((op, total - before));
            before = total;
        }

        return result;
    }
}
