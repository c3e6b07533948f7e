namespace HwGen.Generator.Isa;

/// <summary>The symbolic values of enumerated fields (from <see cref="IsaSpec"/>), shared by the assembler and disassembler.</summary>
public static class AssemblySymbols
{
    /// <summary>The symbols of a field of a format, or null when the field is numeric.</summary>
    public static IReadOnlyList<(string Name, int Value)>? For(Opcode opcode, string field) => (opcode, field) switch
    {
        (Opcode.Load, "target") => IsaSpec.LoadTargets,
        (Opcode.Compute, "mode") => IsaSpec.ComputeModes,
        (Opcode.Compute, "dataflow") => IsaSpec.Dataflows,
        (Opcode.Store, "func") => IsaSpec.StoreFuncs,
        (Opcode.Normalize, "func") => IsaSpec.NormalizeFuncs,
        (Opcode.ConfigPost, "reg") => PostRegisterSymbols,
        _ => null,
    };

    private static readonly IReadOnlyList<(string Name, int Value)> PostRegisterSymbols =
        IsaSpec.PostRegisters.Select(r => (r.Name, r.Index)).ToArray();

    /// <summary>Fields printed in hexadecimal by the disassembler.</summary>
    public static bool IsAddress(string field) => field == "dram_addr";
}
