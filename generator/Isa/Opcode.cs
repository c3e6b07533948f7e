namespace HwGen.Generator.Isa;

/// <summary>Instruction opcodes. Zero is deliberately illegal so that zeroed memory faults.</summary>
public enum Opcode
{
    /// <summary>DMA from DRAM into the scratchpad or accumulator (load queue).</summary>
    Load = 0x01,

    /// <summary>DMA from the accumulator, through requantization, into DRAM (store queue).</summary>
    Store = 0x02,

    /// <summary>Set the store unit's requantization multiplier, shift and ReLU (store queue).</summary>
    ConfigStore = 0x03,

    /// <summary>Set one post-processing constant register of the store unit (store queue).</summary>
    ConfigPost = 0x05,

    /// <summary>Row-wise Softmax or LayerNorm over accumulator rows up to 4096 elements wide, to int8 in DRAM (store queue).</summary>
    Normalize = 0x06,

    /// <summary>Matrix multiply on the systolic array, into the accumulator (execute queue).</summary>
    Compute = 0x04,
}
