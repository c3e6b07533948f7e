using System.Globalization;

namespace HwGen.Generator.Isa;

/// <summary>
/// Assembles HwGen assembly text: one instruction per line,
/// <c>mnemonic field=value[,] field=value ... [; or # comment]</c>. Mnemonics and field names come from
/// <see cref="IsaSpec"/>; enumerated fields take their symbols (<c>target=sp|sp_t|acc</c>,
/// <c>mode=overwrite|accumulate|bias</c>, <c>dataflow=ws|os</c>) or a number; numbers are decimal or
/// 0x hexadecimal (underscores allowed). Fields left out are zero.
/// </summary>
public static class Assembler
{
    /// <summary>Assembles a whole text; throws <see cref="AssemblyException"/> at the first bad line.</summary>
    public static IReadOnlyList<Instruction> Assemble(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var program = new List<Instruction>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var insn = AssembleLine(lines[i], i + 1);
            if (insn is not null)
            {
                program.Add(insn);
            }
        }

        return program;
    }

    /// <summary>Assembles the program and encodes it to bytes (16 per instruction).</summary>
    public static byte[] AssembleToBytes(string text) => Assemble(text).SelectMany(i => i.Encode()).ToArray();

    /// <summary>Assembles one line; returns null for a blank or comment-only line.</summary>
    public static Instruction? AssembleLine(string line, int lineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
        var cut = line.IndexOfAny([';', '#']);
        var code = (cut >= 0 ? line[..cut] : line).Trim();
        if (code.Length == 0)
        {
            return null;
        }

        var tokens = code.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        var mnemonic = tokens[0].ToLowerInvariant();
        if (!IsaSpec.TryFormat(mnemonic, out var format) || format is null)
        {
            throw new AssemblyException(lineNumber, $"unknown mnemonic '{tokens[0]}'; expected one of {string.Join(", ", IsaSpec.Formats.Select(f => f.Mnemonic))}");
        }

        var fields = IsaSpec.AllFields(format).Where(f => f.Name != "opcode").ToList();
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var token in tokens.Skip(1))
        {
            var eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == token.Length - 1)
            {
                throw new AssemblyException(lineNumber, $"'{token}' is not field=value");
            }

            var name = token[..eq].ToLowerInvariant();
            var valueText = token[(eq + 1)..];
            var field = fields.FirstOrDefault(f => f.Name == name)
                ?? throw new AssemblyException(lineNumber, $"{mnemonic} has no field '{token[..eq]}'; its fields are {string.Join(", ", fields.Select(f => f.Name))}");
            if (values.ContainsKey(name))
            {
                throw new AssemblyException(lineNumber, $"field '{name}' is given twice");
            }

            var value = ParseValue(format.Opcode, field, valueText, lineNumber);
            if (value > field.MaxValue)
            {
                throw new AssemblyException(lineNumber, $"{mnemonic}.{name} = {valueText} is too wide for its {field.Width}-bit field (max {field.MaxValue.ToString(CultureInfo.InvariantCulture)})");
            }

            values[name] = value;
        }

        return Instruction.Create(format.Opcode, values);
    }

    private static ulong ParseValue(Opcode opcode, IsaField field, string text, int lineNumber)
    {
        var symbols = AssemblySymbols.For(opcode, field.Name);
        if (symbols is not null)
        {
            foreach (var (name, value) in symbols)
            {
                if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                {
                    return (ulong)value;
                }
            }
        }

        var clean = text.Replace("_", string.Empty, StringComparison.Ordinal);
        var ok = clean.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(clean.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
            : ulong.TryParse(clean, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (!ok || clean.Length == 0)
        {
            var expected = symbols is null
                ? "a decimal or 0x hexadecimal number"
                : $"one of {string.Join(", ", symbols.Select(s => s.Name))} or a number";
            throw new AssemblyException(lineNumber, $"{field.Name}={text} is not valid; expected {expected}");
        }

        return v;
    }
}
