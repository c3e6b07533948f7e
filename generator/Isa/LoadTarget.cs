namespace HwGen.Generator.Isa;

/// <summary>Values of the <c>target</c> field of <c>load</c> (<see cref="IsaSpec.LoadTargets"/>; a test keeps them equal).</summary>
public enum LoadTarget
{
    /// <summary>Scratchpad rows, int8.</summary>
    Scratchpad = 0,

    /// <summary>Scratchpad, transposed: source row r becomes column r.</summary>
    ScratchpadTransposed = 1,

    /// <summary>Accumulator rows, int32.</summary>
    Accumulator = 2,
}
