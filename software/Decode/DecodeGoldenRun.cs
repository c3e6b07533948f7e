using HwGen.Generator.Design;
using HwGen.Software.Golden;
using HwGen.Software.Programs;

namespace HwGen.Software.Decode;

/// <summary>One step of a generation on the golden model: what it fed, the image it left, its logits and choices.</summary>
/// <param name="Shape">The step.</param>
/// <param name="Fed">The tokens it fed, in row order.</param>
/// <param name="Program">The program (its <c>Dram</c> is the compiled image, not the carried one).</param>
/// <param name="Dram">The DRAM image after the step.</param>
/// <param name="Logits">Its logits rows (<see cref="DecodeShape.LogitPositions"/>).</param>
/// <param name="Chosen">The greedy choice of each logits row.</param>
public sealed record DecodeGoldenStep(DecodeShape Shape, int[] Fed, CompiledProgram Program, byte[] Dram, long[][] Logits, int[] Chosen);

/// <summary>
/// A generation on the golden model, step by step (any <see cref="DecodeShape"/>: chunks, batches, drafted tokens and
/// rollbacks through <see cref="History"/>), the DRAM image carried from step to step.
/// </summary>
public sealed class DecodeGoldenRun(DesignModel design, DecodeModel model)
{
    /// <summary>The host's tokens and cache lengths.</summary>
    public DecodeHistory History { get; } = new(model);

    /// <summary>The image the last step left (null before the first).</summary>
    public byte[]? Dram { get; private set; }

    /// <summary>Runs one step.</summary>
    /// <exception cref="ArgumentException">The step does not fit the model.</exception>
    /// <exception cref="InvalidOperationException">The golden model faulted.</exception>
    public DecodeGoldenStep Step(DecodeShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var program = DecodeCompiler.Compile(design, model, shape).Program;
        var image = Dram is null ? program.Dram.ToArray() : DecodeHost.Carry(Dram, program);
        var fed = History.Feed(shape);
        DecodeHost.Feed(model, shape, program, image, fed);
        var r = GoldenSimulator.Run(design, image, program.ProgramAddress, program.Length);
        if (!r.Ok)
        {
            throw new InvalidOperationException($"the golden model faulted on {program.Workload}: {r.FaultName} at instruction {r.FaultPc} ({r.FaultDetail})");
        }

        var logits = DecodeHost.Logits(program, r.Dram, shape.LogitCount);
        Dram = r.Dram;
        return new DecodeGoldenStep(shape, fed, program, r.Dram, logits, History.Advance(shape, logits));
    }

    /// <summary>Runs the automatic schedule (<see cref="DecodeHistory.Next"/>) to its end.</summary>
    public IReadOnlyList<DecodeGoldenStep> RunAll()
    {
        var list = new List<DecodeGoldenStep>();
        while (History.Next() is { } shape)
        {
            list.Add(Step(shape));
        }

        return list;
    }
}
