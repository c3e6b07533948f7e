using HwGen.Software.Decode;
using HwGen.Software.Golden;

namespace HwGen.Verif;

/// <summary>
/// Co-simulates a generation: the prefill, then decode step after decode step. The RTL and the golden model each carry
/// their own DRAM image from program to program (<see cref="DecodeHost.Carry"/>); the host reads the golden logits,
/// chooses the next token (greedy) and writes its embedding into both images. Every program's whole image (cache rows,
/// logits and all) is compared bit for bit; generation stops at the first disagreement.
/// </summary>
public static class DecodeCosim
{
    /// <summary>Runs <paramref name="model"/> on <paramref name="session"/>'s design; <paramref name="progress"/> hears each program's name.</summary>
    public static async Task<DecodeReport> RunAsync(CosimSession session, DecodeModel model, CosimOptions? options = null, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(model);
        options ??= new CosimOptions();
        var d = session.Design;
        var binary = await session.PrepareAsync(false, cancellationToken).ConfigureAwait(false);
        var steps = new List<DecodeStepReport>();
        byte[]? golden = null, rtl = null;
        var token = -1;
        for (var j = -1; j < model.Generate; j++)
        {
            var program = (j < 0 ? DecodeCompiler.Prefill(d, model) : DecodeCompiler.Step(d, model, j)).Program;
            progress?.Report(program.Workload);
            var goldenImage = golden is null ? program.Dram : DecodeHost.Carry(golden, program);
            var rtlImage = rtl is null ? program.Dram.ToArray() : DecodeHost.Carry(rtl, program);
            if (j >= 0)
            {
                DecodeHost.Feed(model, program, goldenImage, token);
                DecodeHost.Feed(model, program, rtlImage, token);
            }

            var goldenTask = Task.Run(() => GoldenSimulator.Run(d, goldenImage, program.ProgramAddress, program.Length), cancellationToken);
            var run = await HarnessRunner.RunAsync(binary, rtlImage, program.ProgramAddress, program.Length, options, cancellationToken).ConfigureAwait(false);
            var g = await goldenTask.ConfigureAwait(false);
            var report = CosimSession.Compare(d, program with { Dram = goldenImage }, g, run, options, binary.Hash);
            var next = g.Ok ? DecodeModel.Argmax(DecodeHost.Logits(program, g.Dram)) : -1;
            steps.Add(new DecodeStepReport(j, j < 0 ? model.Prompt.Length : model.Prompt.Length + j + 1, j < 0 ? -1 : token, next, report,
                DecodeTraffic.Of(program), d.AxiDataBits / 8, d.Pes));
            if (!report.Match)
            {
                break;
            }

            (golden, rtl, token) = (g.Dram, run.Dram, next);
        }

        return new DecodeReport(d.Name, model.Name, steps, model.Generate);
    }
}
