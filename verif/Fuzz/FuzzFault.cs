namespace HwGen.Verif;

/// <summary>A fault a fuzz case injects into its run (see <see cref="FaultInjection"/>).</summary>
public enum FuzzFault
{
    /// <summary>No fault: the run must complete bit-exact.</summary>
    None,

    /// <summary>AXI SLVERR on reads of one byte of an input tensor: a load faults with dma_read_error (when a load reads it).</summary>
    LoadSlverr,

    /// <summary>AXI SLVERR on writes of one byte of an output tensor: a store (or normalize) faults with dma_write_error.</summary>
    StoreSlverr,

    /// <summary>AXI SLVERR on reads of one instruction: fetch faults with fetch_error.</summary>
    FetchSlverr,

    /// <summary>A load's DRAM address moved past the end of memory: DECERR, dma_read_error.</summary>
    LoadDecerr,

    /// <summary>A store's (or normalize's) DRAM address moved past the end of memory: DECERR, dma_write_error.</summary>
    StoreDecerr,

    /// <summary>One instruction word's opcode replaced by an undefined one: illegal_opcode.</summary>
    IllegalOpcode,

    /// <summary>One field of one instruction set out of its legal range: bad_field.</summary>
    BadField,

    /// <summary>One local (scratchpad or accumulator) row address set past the end of its memory: sp_range or acc_range.</summary>
    LocalRange,

    /// <summary>One instruction pops a dependency token that is never pushed: the program never ends and the watchdog must call it a hang.</summary>
    Hang,
}
