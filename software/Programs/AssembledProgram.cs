using HwGen.Generator.Isa;

namespace HwGen.Software.Programs;

/// <summary>
/// A hand-written program: assembly text plus an optional raw DRAM image. The program is placed
/// on the first 4 KiB boundary after the image; no tensors are declared, so co-simulation
/// compares the whole of DRAM.
/// </summary>
public static class AssembledProgram
{
    /// <summary>Bytes of zeroed DRAM given to a program that comes without a memory image.</summary>
    public const int DefaultMemoryBytes = 64 * 1024;

    /// <summary>Assembles <paramref name="assemblyPath"/> and places it after the image in <paramref name="memoryPath"/> (if any).</summary>
    public static CompiledProgram Load(string assemblyPath, string? memoryPath)
    {
        var text = File.ReadAllText(assemblyPath);
        var instructions = Assembler.Assemble(text);

        var image = memoryPath is null ? new byte[DefaultMemoryBytes] : File.ReadAllBytes(memoryPath);
        return Create(Path.GetFileName(assemblyPath), instructions, image);
    }

    /// <summary>Places instructions after an image and returns the runnable program.</summary>
    public static CompiledProgram Create(string name, IReadOnlyList<Instruction> instructions, byte[] image)
    {
        const int Page = 4096;
        var programAddress = (image.Length + Page - 1) / Page * Page;
        var size = programAddress + (instructions.Count * IsaSpec.InstructionBytes);
        var dram = new byte[Math.Max(Page, (size + Page - 1) / Page * Page)];
        image.CopyTo(dram, 0);
        for (var i = 0; i < instructions.Count; i++)
        {
            instructions[i].Encode().CopyTo(dram, programAddress + (i * IsaSpec.InstructionBytes));
        }

        return new CompiledProgram
        {
            Workload = "program:" + name,
            Instructions = instructions,
            Dram = dram,
            ProgramAddress = programAddress,
            Tensors = [],
            Macs = 0,
        };
    }
}
