using HwGen.Generator.Isa;

namespace HwGen.Software.Programs;

/// <summary>
/// Everything one run needs: the instructions, the initial DRAM image (inputs and the encoded
/// program already placed), where the program sits, and which regions are inputs and outputs.
/// </summary>
public sealed record CompiledProgram
{
    /// <summary>Workload description, e.g. <c>gemm:M=100,N=77,K=45</c>.</summary>
    public required string Workload { get; init; }

    private readonly int? length;

    /// <summary>The program, in order (for a hand-written program with raw words: up to the first word that does not decode).</summary>
    public required IReadOnlyList<Instruction> Instructions { get; init; }

    /// <summary>Instructions the host asks the accelerator to run (PROG_LEN); <see cref="Instructions"/>.Count unless set.</summary>
    public int Length
    {
        get => length ?? Instructions.Count;
        init => length = value;
    }

    /// <summary>Initial DRAM image; its length is the DRAM size the harness must model.</summary>
    public required byte[] Dram { get; init; }

    /// <summary>Byte address of instruction 0 in <see cref="Dram"/> (16-byte aligned).</summary>
    public required long ProgramAddress { get; init; }

    /// <summary>Input and output tensors.</summary>
    public required IReadOnlyList<TensorRegion> Tensors { get; init; }

    /// <summary>Useful multiply-accumulates of the workload (for ideal cycles).</summary>
    public required long Macs { get; init; }

    /// <summary>Free-form facts for meta.json and reports (scales, multiplier, shift, rounding, tiling).</summary>
    public IReadOnlyDictionary<string, object> Meta { get; init; } = new Dictionary<string, object>();

    /// <summary>Float references of the Transformer kernels the program runs, for accuracy figures (empty for GEMMs).</summary>
    public IReadOnlyList<KernelReference> References { get; init; } = [];

    /// <summary>The output tensors.</summary>
    public IEnumerable<TensorRegion> Outputs => Tensors.Where(t => t.Role == TensorRole.Output);
}
