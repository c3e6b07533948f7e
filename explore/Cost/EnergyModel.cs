using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Programs;

namespace HwGen.Explore.Cost;

/// <summary>Energy of one run of a program, by where it is spent, in picojoules.</summary>
public sealed record EnergyBreakdown(double MacPj, double ScratchpadPj, double AccumulatorPj, double DramPj, double UnitsPj)
{
    /// <summary>The sum.</summary>
    public double TotalPj => MacPj + ScratchpadPj + AccumulatorPj + DramPj + UnitsPj;
}

/// <summary>
/// Dynamic energy of a program from what its instructions make the hardware do (the events the performance counters
/// count): MACs issued into the array, scratchpad and accumulator row reads and writes (priced by the size of one bank),
/// DRAM bytes, and elements through the requantizer and the GELU, Softmax and LayerNorm units, each times an
/// <see cref="EnergyConstants"/> figure.
/// </summary>
public static class EnergyModel
{
    /// <summary>The energy of one run of <paramref name="program"/> on design <paramref name="d"/>.</summary>
    public static EnergyBreakdown Estimate(DesignModel d, IReadOnlyList<Instruction> program, EnergyConstants? constants = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(program);
        var e = constants ?? EnergyConstants.Horowitz45nm;
        var spBit = e.SramBitPj((long)d.SpDepth * d.SpRowBytes / d.SpBanks);
        var accRowBits = d.Cols * 32L;
        var accBit = e.SramBitPj((long)d.AccDepth * d.Cols * 4 / d.AccBanks);
        double macs = 0, spBits = 0, accBits = 0, dramBytes = 0, units = 0;
        foreach (var insn in program)
        {
            var i = new InstructionView(insn);
            switch (i.Unit)
            {
                case Unit.Load:
                    var toAcc = i.Target == LoadTarget.Accumulator;
                    dramBytes += (double)i.Rows * i.LoadRowBytes;
                    if (toAcc)
                    {
                        accBits += i.Rows * accRowBits;
                    }
                    else
                    {
                        spBits += (double)i.Rows * i.Cols * 8;
                    }

                    break;
                case Unit.Execute when i.Opcode == Opcode.Compute:
                    macs += (double)i.Rows * i.K * d.Cols;
                    spBits += (i.Rows + i.K) * d.SpRowBytes * 8.0;
                    accBits += i.Rows * accRowBits * (i.Mode == ComputeMode.Overwrite ? 1 : 2);
                    break;
                case Unit.Store when i.Opcode == Opcode.Store:
                    accBits += (i.Rows + (i.StoreFunc == StoreFunc.GeluColumn ? 2 : 0)) * accRowBits; // gelu_col: its two constants rows
                    dramBytes += (double)i.Rows * i.Cols;
                    units += i.Rows * i.Cols * (e.RequantPj + (i.StoreFunc is StoreFunc.Requantize or StoreFunc.RequantizeRow ? 0 : e.GeluPj));
                    break;
                case Unit.Store when i.Opcode == Opcode.Normalize:
                    var (passes, perElement) = i.NormalizeFunc switch
                    {
                        NormalizeFunc.Softmax => (3, e.SoftmaxPj),
                        NormalizeFunc.SoftmaxLate => (2, e.SoftmaxPj),
                        NormalizeFunc.LayerNorm => (3, e.LayerNormPj),
                        _ => (1, e.AddPj),
                    };
                    var blocks = (i.Width + d.Cols - 1) / d.Cols;
                    var residual = i.NormalizeFunc is NormalizeFunc.Softmax or NormalizeFunc.SoftmaxLate ? 1 : 2;
                    accBits += i.Rows * blocks * passes * residual * (double)accRowBits;
                    dramBytes += (double)i.Rows * i.NormalizeRowBytes;
                    units += i.Rows * i.Width * perElement;
                    break;
            }
        }

        return new EnergyBreakdown(macs * e.MacPj, spBits * spBit, accBits * accBit, dramBytes * e.DramBytePj, units);
    }
}
