using System.Globalization;
using System.Text;

namespace HwGen.Generator.Isa;

/// <summary>
/// Prints instructions in the canonical assembly form: the mnemonic, every format field in
/// encoding order (symbols for enumerated fields, hex for DRAM addresses, decimal otherwise), then
/// the token flags that are set. <see cref="Assembler"/> reads the output back to the same bits.
/// </summary>
public static class Disassembler
{
    /// <summary>One instruction as one line.</summary>
    public static string Format(Instruction instruction)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(instruction.Format.Mnemonic);
        foreach (var field in instruction.Format.Fields)
        {
            var value = instruction[field.Name];
            var symbol = AssemblySymbols.For(instruction.Opcode, field.Name)?.FirstOrDefault(s => (ulong)s.Value == value).Name;
            var text = symbol ?? (AssemblySymbols.IsAddress(field.Name) ? "0x" + value.ToString("X", inv) : value.ToString(inv));
            sb.Append(' ').Append(field.Name).Append('=').Append(text);
        }

        foreach (var flag in IsaSpec.CommonFields.Where(f => f.Name != "opcode"))
        {
            if (instruction[flag.Name] != 0)
            {
                sb.Append(' ').Append(flag.Name).Append('=').Append(instruction[flag.Name].ToString(inv));
            }
        }

        return sb.ToString();
    }

    /// <summary>A program, one line per instruction, each ending in a newline.</summary>
    public static string Format(IEnumerable<Instruction> program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var sb = new StringBuilder();
        foreach (var insn in program)
        {
            sb.Append(Format(insn)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Decodes and prints encoded instructions; an illegal opcode becomes a comment line naming its index.</summary>
    public static string Disassemble(ReadOnlySpan<byte> code)
    {
        var sb = new StringBuilder();
        for (var pc = 0; (pc + 1) * IsaSpec.InstructionBytes <= code.Length; pc++)
        {
            var bytes = code.Slice(pc * IsaSpec.InstructionBytes, IsaSpec.InstructionBytes);
            var insn = Instruction.Decode(bytes);
            sb.Append(insn is null
                ? string.Create(CultureInfo.InvariantCulture, $"# {pc}: illegal opcode 0x{bytes[0]:X2}")
                : Format(insn)).Append('\n');
        }

        return sb.ToString();
    }
}
