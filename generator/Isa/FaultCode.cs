namespace HwGen.Generator.Isa;

/// <summary>Fault codes written to ERR_CODE; <see cref="IsaSpec.FaultCodes"/> names and describes them.</summary>
public enum FaultCode
{
    /// <summary>No fault.</summary>
    None = 0,

    /// <summary>Undefined opcode.</summary>
    IllegalOpcode = 1,

    /// <summary>Scratchpad row range out of bounds.</summary>
    SpRange = 2,

    /// <summary>Accumulator row range out of bounds.</summary>
    AccRange = 3,

    /// <summary>A field out of its legal range.</summary>
    BadField = 4,

    /// <summary>AXI read error on a load.</summary>
    DmaReadError = 5,

    /// <summary>AXI write error on a store.</summary>
    DmaWriteError = 6,

    /// <summary>AXI read error on an instruction fetch.</summary>
    FetchError = 7,

    /// <summary>PROG_ADDR is not 16-byte aligned (raised at START).</summary>
    ProgAlign = 8,

    /// <summary>The program does not fit in the 32-bit address space (raised at START).</summary>
    ProgRange = 9,
}
