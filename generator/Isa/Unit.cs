namespace HwGen.Generator.Isa;

/// <summary>The decoupled unit (and instruction queue) that executes an instruction.</summary>
public enum Unit
{
    /// <summary>The load unit: DRAM to local memories.</summary>
    Load = 0,

    /// <summary>The execute unit: the systolic array.</summary>
    Execute = 1,

    /// <summary>The store unit: accumulator to DRAM.</summary>
    Store = 2,
}
