namespace HwGen.Software.Programs;

/// <summary>DRAM element types.</summary>
public enum ElementType
{
    /// <summary>Signed 8-bit.</summary>
    Int8,

    /// <summary>Signed 16-bit, little-endian (the 16-bit residual stream).</summary>
    Int16,

    /// <summary>Signed 32-bit, little-endian.</summary>
    Int32,
}
