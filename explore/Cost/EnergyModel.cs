using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Performance.Fast;
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
    public static EnergyBreakdown Estimate(DesignModel d, IReadOnlyList<Instruction> program, EnergyConstants? constants = null) =>
        Price(d, Count(d, program), constants);

    /// <summary>
    /// The energy of <paramref name="work"/> on design <paramref name="d"/>: counted from a program (<see cref="Count"/>)
    /// or estimated without one (<see cref="FastEstimator"/>).
    /// </summary>
    public static EnergyBreakdown Price(DesignModel d, WorkCounts work, EnergyConstants? constants = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(work);
        var e = constants ?? EnergyConstants.Horowitz45nm;
        var spBit = e.SramBitPj((long)d.SpDepth * d.SpRowBytes / d.SpBanks);
        var accBit = e.SramBitPj((long)d.AccDepth * d.Cols * 4 / d.AccBanks);
        var units = (work.RequantElements * e.RequantPj) + (work.GeluElements * e.GeluPj) + (work.SoftmaxElements * e.SoftmaxPj)
            + (work.LayerNormElements * e.LayerNormPj) + (work.AddElements * e.AddPj);
        return new EnergyBreakdown(work.Macs * e.MacPj, work.ScratchpadBits * spBit, work.AccumulatorBits * accBit, work.DramBytes * e.DramBytePj, units);
    }

    /// <summary>What <paramref name="program"/> makes design <paramref name="d"/> do, instruction by instruction.</summary>
    public static WorkCounts Count(DesignModel d, IReadOnlyList<Instruction> program)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(program);
        var accRowBits = d.Cols * 32L;
        double macs = 0, spBits = 0, accBits = 0, dramBytes = 0, requant = 0, gelu = 0, softmax = 0, layerNorm = 0, add = 0;
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
                    var halves = i.Int4Pairs ? 2 : 1;
                    macs += (double)i.Rows * i.K * d.Cols * halves;
                    spBits += (i.Rows + i.K) * d.SpRowBytes * 8.0;
                    accBits += i.Rows * halves * accRowBits * (i.Mode == ComputeMode.Overwrite ? 1 : 2);
                    break;
                case Unit.Store when i.Opcode == Opcode.Store:
                    // gelu_col: its two constants rows; col_mult: its multipliers row
                    accBits += (i.Rows + (i.StoreFunc == StoreFunc.GeluColumn ? 2 : i.ColMult ? 1 : 0)) * accRowBits;
                    dramBytes += (double)i.Rows * i.Cols;
                    requant += (double)i.Rows * i.Cols;
                    gelu += i.StoreFunc is StoreFunc.Requantize or StoreFunc.RequantizeRow ? 0 : (double)i.Rows * i.Cols;
                    break;
                case Unit.Store when i.Opcode == Opcode.Normalize:
                    var passes = i.NormalizeFunc switch
                    {
                        NormalizeFunc.Softmax => 3,
                        NormalizeFunc.SoftmaxLate => 2,
                        NormalizeFunc.LayerNorm => 3,
                        _ => 1,
                    };
                    var blocks = (i.Width + d.Cols - 1) / d.Cols;
                    var isSoftmax = i.NormalizeFunc is NormalizeFunc.Softmax or NormalizeFunc.SoftmaxLate;
                    accBits += i.Rows * blocks * passes * (isSoftmax ? 1 : 2) * (double)accRowBits;
                    dramBytes += (double)i.Rows * i.NormalizeRowBytes;
                    var elements = (double)i.Rows * i.Width;
                    if (isSoftmax)
                    {
                        softmax += elements;
                    }
                    else if (i.NormalizeFunc == NormalizeFunc.LayerNorm)
                    {
                        layerNorm += elements;
                    }
                    else
                    {
                        add += elements;
                    }

                    break;
            }
        }

        return new WorkCounts
        {
            Macs = macs, ScratchpadBits = spBits, AccumulatorBits = accBits, DramBytes = dramBytes, RequantElements = requant, GeluElements = gelu,
            SoftmaxElements = softmax, LayerNormElements = layerNorm, AddElements = add,
        };
    }
}
