using HwGen.Generator.Isa;

namespace HwGen.Software.Golden;

/// <summary>The outcome of a golden run.</summary>
/// <param name="Dram">Final DRAM image (a copy; the input is not modified). After a DMA fault its contents are unspecified.</param>
/// <param name="Fault">The first fault, or <see cref="FaultCode.None"/>.</param>
/// <param name="FaultPc">Index of the faulting instruction, or -1.</param>
/// <param name="FaultDetail">Human-readable reason, empty when there is no fault.</param>
/// <param name="Executed">Instructions that completed.</param>
/// <param name="OpcodeCounts">Completed instructions per opcode.</param>
/// <param name="Macs">Useful MACs as the <c>macs</c> counter defines them (rows·k·COLS per compute).</param>
/// <param name="DmaReadBytes">Bytes read by loads (useful bytes).</param>
/// <param name="DmaWriteBytes">Bytes written by stores (useful bytes).</param>
public sealed record GoldenResult(
    byte[] Dram,
    FaultCode Fault,
    int FaultPc,
    string FaultDetail,
    int Executed,
    IReadOnlyDictionary<Opcode, int> OpcodeCounts,
    long Macs,
    long DmaReadBytes,
    long DmaWriteBytes)
{
    /// <summary>True when the program ran to completion.</summary>
    public bool Ok => Fault == FaultCode.None;

    /// <summary>The value written to ERR_CODE.</summary>
    public int FaultValue => (int)Fault;

    /// <summary>The fault's name as in <c>IsaSpec.FaultCodes</c>.</summary>
    public string FaultName => IsaSpec.FaultCodes.First(f => f.Code == (int)Fault).Name;
}
