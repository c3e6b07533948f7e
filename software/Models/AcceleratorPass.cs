using HwGen.Generator.Design;
using HwGen.Software.Golden;
using HwGen.Software.Layers;
using HwGen.Software.Performance;

namespace HwGen.Models;

/// <summary>
/// An imported encoder on one accelerator design: each sentence is lowered (<see cref="EncoderLowering"/>), compiled
/// into one program for the whole layer stack (the same <see cref="LayerCompiler"/> as the presets) and run on the
/// bit-exact golden model, whose output the RTL must match in co-simulation.
/// </summary>
public sealed class AcceleratorPass
{
    /// <summary>Prepares the pass; nothing is compiled until a sentence is.</summary>
    public AcceleratorPass(DesignModel design, EncoderLowering lowering)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(lowering);
        Design = design;
        Lowering = lowering;
    }

    /// <summary>The design.</summary>
    public DesignModel Design { get; }

    /// <summary>The quantized model.</summary>
    public EncoderLowering Lowering { get; }

    /// <summary>Lowers and compiles a batch of sentences, packed back to back, into one program for every layer.</summary>
    /// <exception cref="ModelException">A sentence cannot be embedded, or the design cannot hold the layers (the compiler's reason).</exception>
    public BatchProgram Compile(IReadOnlyList<int[]> sentences, bool chainInputs = false)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        var layers = Lowering.Lower(sentences, chainInputs);
        try
        {
            return new BatchProgram(sentences, layers, LayerCompiler.CompileLayers(Design, layers));
        }
        catch (ArgumentException ex)
        {
            throw new ModelException($"configuration '{Design.Name}' cannot run this model: {ex.Message}");
        }
    }

    /// <summary>Runs a compiled batch on the golden model and returns each sentence's last hidden states in float.</summary>
    /// <exception cref="InvalidOperationException">The golden model faulted (a compiler bug: the program was built for this design).</exception>
    public IReadOnlyList<float[]> RunGolden(BatchProgram batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var golden = GoldenSimulator.Run(Design, batch.Compiled.Program);
        if (!golden.Ok)
        {
            throw new InvalidOperationException($"the golden model faulted ({golden.FaultName} at instruction {golden.FaultPc}: {golden.FaultDetail})");
        }

        var y = batch.Compiled.Program.Tensors.Single(t => t.Name == Lowering.OutputTensor);
        return Lowering.HiddenStates(y.Read(golden.Dram), batch.Sentences.Select(ids => ids.Length).ToArray());
    }

    /// <summary>Lowers, compiles and runs one sentence on its own on the golden model.</summary>
    public float[] Forward(int[] ids) => RunGolden(Compile([ids]))[0];

    /// <summary>The performance model's cycles of a compiled batch.</summary>
    public long ModelledCycles(BatchProgram batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return PerfModel.Estimate(Design, batch.Compiled.Program).TotalCycles;
    }
}

/// <summary>A batch of sentences compiled for the accelerator as one program.</summary>
/// <param name="Sentences">Their token ids, in the order they are packed.</param>
/// <param name="Layers">The quantized layer stack the batch runs.</param>
/// <param name="Compiled">The program and its operations.</param>
public sealed record BatchProgram(IReadOnlyList<int[]> Sentences, IReadOnlyList<QuantizedLayer> Layers, CompiledLayer Compiled)
{
    /// <summary>Tokens in the batch.</summary>
    public int Tokens => Sentences.Sum(s => s.Length);
}
