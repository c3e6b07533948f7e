using HwGen.Generator.Design;
using HwGen.Software.Golden;
using HwGen.Software.Programs;

namespace HwGen.Software.Decode;

/// <summary>One program of a generation (the prefill, or a decode step) and what it left.</summary>
/// <param name="Step">-1 for the prefill, else the decode step.</param>
/// <param name="Context">Cache rows the program's attention covered (the prompt, or Prompt + Step + 1).</param>
/// <param name="Input">The token the step fed (-1 for the prefill).</param>
/// <param name="Program">The program (its <c>Dram</c> is the compiled image, not the carried one).</param>
/// <param name="Dram">The DRAM image after the program.</param>
/// <param name="Logits">Its logits.</param>
/// <param name="Next">The greedy choice from the logits.</param>
public sealed record DecodeStep(int Step, int Context, int Input, CompiledProgram Program, byte[] Dram, long[] Logits, int Next);

/// <summary>Generation on the golden model alone: the prefill, then every decode step, the DRAM image carried from program to program.</summary>
public static class DecodeGolden
{
    /// <summary>
    /// Runs the prefill and <paramref name="steps"/> decode steps (default: all of them) on the golden model, each program
    /// from the image the one before left.
    /// </summary>
    /// <exception cref="InvalidOperationException">The golden model faulted.</exception>
    public static IReadOnlyList<DecodeStep> Run(DesignModel d, DecodeModel m, int? steps = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(m);
        var list = new List<DecodeStep>();
        var prefill = DecodeCompiler.Prefill(d, m).Program;
        var dram = Execute(d, prefill, prefill.Dram);
        var logits = DecodeHost.Logits(prefill, dram);
        list.Add(new DecodeStep(-1, m.Prompt.Length, -1, prefill, dram, logits, DecodeModel.Argmax(logits)));
        for (var j = 0; j < (steps ?? m.Generate); j++)
        {
            var program = DecodeCompiler.Step(d, m, j).Program;
            var image = DecodeHost.Carry(dram, program);
            var token = list[^1].Next;
            DecodeHost.Feed(m, program, image, token);
            dram = Execute(d, program, image);
            logits = DecodeHost.Logits(program, dram);
            list.Add(new DecodeStep(j, m.Prompt.Length + j + 1, token, program, dram, logits, DecodeModel.Argmax(logits)));
        }

        return list;
    }

    private static byte[] Execute(DesignModel d, CompiledProgram program, byte[] image)
    {
        var r = GoldenSimulator.Run(d, image, program.ProgramAddress, program.Length);
        if (!r.Ok)
        {
            throw new InvalidOperationException($"the golden model faulted on {program.Workload}: {r.FaultName} at instruction {r.FaultPc} ({r.FaultDetail})");
        }

        return r.Dram;
    }
}
