namespace HwGen.Generator.Isa;

/// <summary>One bit field of a 128-bit instruction word or of a 32-bit AXI4-Lite register.</summary>
/// <param name="Name">Lower-snake field name, used in assembly text, RTL constants and the C header.</param>
/// <param name="Lsb">Least significant bit position in the instruction (or register).</param>
/// <param name="Width">Width in bits.</param>
/// <param name="Description">One line for the documentation.</param>
public sealed record IsaField(string Name, int Lsb, int Width, string Description)
{
    /// <summary>Most significant bit position.</summary>
    public int Msb => Lsb + Width - 1;

    /// <summary>Largest value the field can hold.</summary>
    public ulong MaxValue => Width >= 64 ? ulong.MaxValue : (1UL << Width) - 1;
}
