using System.Buffers.Binary;
using System.Globalization;
using HwGen.Generator.Isa;

namespace HwGen.Software.Programs;

/// <summary>
/// A hand-written program: assembly text plus an optional raw DRAM image. The program is placed
/// on the first 4 KiB boundary after the image; no tensors are declared, so co-simulation
/// compares the whole of DRAM.
/// </summary>
/// <remarks>
/// Besides the assembler's instructions, a line may be <c>.word 0x…</c>: a raw 128-bit
/// instruction word (up to 32 hex digits, little-endian in DRAM), for programs that must contain
/// an undefined opcode. <see cref="CompiledProgram.Instructions"/> then stops at the first word that
/// does not decode (execution faults there); <see cref="CompiledProgram.Length"/> counts every word.
/// </remarks>
public static class AssembledProgram
{
    /// <summary>Bytes of zeroed DRAM given to a program that comes without a memory image.</summary>
    public const int DefaultMemoryBytes = 64 * 1024;

    /// <summary>Assembles <paramref name="assemblyPath"/> and places it after the image in <paramref name="memoryPath"/> (if any).</summary>
    public static CompiledProgram Load(string assemblyPath, string? memoryPath)
    {
        var text = File.ReadAllText(assemblyPath);
        var image = memoryPath is null ? new byte[DefaultMemoryBytes] : File.ReadAllBytes(memoryPath);
        return Create(Path.GetFileName(assemblyPath), Words(text), image);
    }

    /// <summary>Assembles text with <c>.word</c> lines into 16-byte instruction words.</summary>
    /// <exception cref="AssemblyException">A line does not assemble.</exception>
    public static IReadOnlyList<byte[]> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<byte[]>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var cut = lines[i].IndexOfAny([';', '#']);
            var code = (cut >= 0 ? lines[i][..cut] : lines[i]).Trim();
            if (code.StartsWith(".word", StringComparison.OrdinalIgnoreCase))
            {
                words.Add(RawWord(code[5..].Trim(), i + 1));
            }
            else if (Assembler.AssembleLine(lines[i], i + 1) is { } insn)
            {
                words.Add(insn.Encode());
            }
        }

        return words;
    }

    /// <summary>Places instructions after an image and returns the runnable program.</summary>
    public static CompiledProgram Create(string name, IReadOnlyList<Instruction> instructions, byte[] image)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        return Create(name, instructions.Select(i => i.Encode()).ToArray(), image);
    }

    /// <summary>Places raw 16-byte instruction words after an image and returns the runnable program.</summary>
    public static CompiledProgram Create(string name, IReadOnlyList<byte[]> words, byte[] image)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(image);
        const int Page = 4096;
        var programAddress = (image.Length + Page - 1) / Page * Page;
        var size = programAddress + (words.Count * IsaSpec.InstructionBytes);
        var dram = new byte[Math.Max(Page, (size + Page - 1) / Page * Page)];
        image.CopyTo(dram, 0);
        var decoded = new List<Instruction>();
        var decoding = true;
        for (var i = 0; i < words.Count; i++)
        {
            words[i].CopyTo(dram, programAddress + (i * IsaSpec.InstructionBytes));
            var insn = decoding ? Instruction.Decode(words[i]) : null;
            decoding = insn is not null;
            if (insn is not null)
            {
                decoded.Add(insn);
            }
        }

        return new CompiledProgram
        {
            Workload = "program:" + name,
            Instructions = decoded,
            Length = words.Count,
            Dram = dram,
            ProgramAddress = programAddress,
            Tensors = [],
            Macs = 0,
        };
    }

    private static byte[] RawWord(string text, int line)
    {
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        hex = hex.Replace("_", string.Empty, StringComparison.Ordinal);
        if (hex.Length is 0 or > 32 || !UInt128.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new AssemblyException(line, $".word wants one hexadecimal 128-bit value (0x followed by up to 32 digits), got '{text}'");
        }

        var bytes = new byte[IsaSpec.InstructionBytes];
        BinaryPrimitives.WriteUInt128LittleEndian(bytes, value);
        return bytes;
    }
}
