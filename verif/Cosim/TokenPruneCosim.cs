using HwGen.Software.Golden;
using HwGen.Software.Layers;

namespace HwGen.Verif;

/// <summary>
/// Co-simulates a token-pruned stack layer by layer (<see cref="TokenPruneChain"/>): the RTL and the golden model each
/// carry their own DRAM image from program to program; each program's whole image is compared bit for bit; the host
/// reads P from the golden image (equal to the RTL's when they match) to choose the kept tokens. A run stops at the first
/// disagreement.
/// </summary>
public static class TokenPruneCosim
{
    /// <summary>Runs every layer; the report's layers carry the measured cycles.</summary>
    public static async Task<TokenPruneReport> RunAsync(CosimSession session, IReadOnlyList<QuantizedLayer> stack, TokenPruning plan, CosimOptions? options = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        options ??= new CosimOptions();
        var d = session.Design;
        var binary = await session.PrepareAsync(false, cancellationToken).ConfigureAwait(false);
        var chain = new TokenPruneChain(d, stack, plan);
        var reports = new List<CosimReport>();
        byte[]? golden = null, rtl = null;
        while (chain.Next() is { } program)
        {
            progress?.Report(program.Workload);
            var (goldenImage, rtlImage) = (chain.Image(golden, program), chain.Image(rtl, program));
            var goldenTask = Task.Run(() => GoldenSimulator.Run(d, goldenImage, program.ProgramAddress, program.Length), cancellationToken);
            var run = await HarnessRunner.RunAsync(binary, rtlImage, program.ProgramAddress, program.Length, options, cancellationToken).ConfigureAwait(false);
            var g = await goldenTask.ConfigureAwait(false);
            var report = CosimSession.Compare(d, program with { Dram = goldenImage }, g, run, options, binary.Hash);
            reports.Add(report);
            if (!report.Match)
            {
                break;
            }

            chain.Complete(g.Dram, report.Cycles);
            (golden, rtl) = (g.Dram, run.Dram);
        }

        return new TokenPruneReport(chain.Layers, reports);
    }
}
