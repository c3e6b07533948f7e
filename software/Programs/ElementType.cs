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

    /// <summary>Signed 4-bit, two per byte: element 2i in the low nibble of byte i, 2i+1 in the high nibble (<c>load int4</c>).</summary>
    Int4,
}
