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

    /// <summary>Lowers and compiles one sentence (every layer in one program).</summary>
    /// <exception cref="ModelException">The sentence cannot be embedded, or the design cannot hold the layers (the compiler's reason).</exception>
    public SentenceProgram Compile(int[] ids, bool chainInputs = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var layers = Lowering.Lower(ids, chainInputs);
        try
        {
            return new SentenceProgram(ids, layers, LayerCompiler.CompileLayers(Design, layers));
        }
        catch (ArgumentException ex)
        {
            throw new ModelException($"configuration '{Design.Name}' cannot run this model: {ex.Message}");
        }
    }

    /// <summary>Runs a compiled sentence on the golden model and returns the last hidden states in float.</summary>
    /// <exception cref="InvalidOperationException">The golden model faulted (a compiler bug: the program was built for this design).</exception>
    public float[] RunGolden(SentenceProgram sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var golden = GoldenSimulator.Run(Design, sentence.Compiled.Program);
        if (!golden.Ok)
        {
            throw new InvalidOperationException($"the golden model faulted ({golden.FaultName} at instruction {golden.FaultPc}: {golden.FaultDetail})");
        }

        var y = sentence.Compiled.Program.Tensors.Single(t => t.Name == Lowering.OutputTensor);
        return Lowering.HiddenStates(y.Read(golden.Dram), sentence.Ids.Length);
    }

    /// <summary>Lowers, compiles and runs one sentence on the golden model.</summary>
    public float[] Forward(int[] ids) => RunGolden(Compile(ids));

    /// <summary>The performance model's cycles of a compiled sentence.</summary>
    public long ModelledCycles(SentenceProgram sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var p = sentence.Compiled.Program;
        return PerfModel.Estimate(Design, p.Instructions, p.Macs).TotalCycles;
    }
}

/// <summary>One sentence compiled for the accelerator.</summary>
/// <param name="Ids">Its token ids.</param>
/// <param name="Layers">The quantized layer stack it runs.</param>
/// <param name="Compiled">The program and its operations.</param>
public sealed record SentenceProgram(int[] Ids, IReadOnlyList<QuantizedLayer> Layers, CompiledLayer Compiled);
