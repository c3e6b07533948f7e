namespace HwGen.Generator.Isa;

/// <summary>Values of the <c>mode</c> field of <c>compute</c> (<see cref="IsaSpec.ComputeModes"/>; a test keeps them equal).</summary>
public enum ComputeMode
{
    /// <summary>C = A·B.</summary>
    Overwrite = 0,

    /// <summary>C += A·B.</summary>
    Accumulate = 1,

    /// <summary>C = bias row + A·B.</summary>
    Bias = 2,
}
