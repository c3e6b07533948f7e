namespace HwGen.Generator.Isa;

/// <summary>The encoding of one opcode: which unit runs it and which fields it has.</summary>
public sealed record InstructionFormat(
    Opcode Opcode,
    string Mnemonic,
    Unit Unit,
    string Description,
    IReadOnlyList<IsaField> Fields);
