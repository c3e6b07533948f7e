using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Workloads;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

[Collection(CosimGroup.Name)]
public sealed class GemmCosimTests(CosimFixture fixture)
{
    public static TheoryData<string, Dataflow, int, int, int> FixedShapes()
    {
        var data = new TheoryData<string, Dataflow, int, int, int>();
        foreach (var config in new[] { "tiny", "small", "default" })
        {
            foreach (var dataflow in new[] { Dataflow.Ws, Dataflow.Os })
            {
                data.Add(config, dataflow, 1, 1, 1);
                data.Add(config, dataflow, 100, 77, 45);
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(FixedShapes))]
    public async Task Gemm_outputs_on_the_RTL_match_the_golden_model_bit_for_bit(string config, Dataflow dataflow, int m, int n, int k)
    {
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(m, n, k, seed: 7), dataflow);

        var report = await session.RunAsync(program, new CosimOptions { MaxCycles = 5_000_000, Watchdog = 200_000 });

        Assert.True(report.Match, Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Empty(report.Problems);
        Assert.InRange((long)report.Counters["cycles"], report.Cycles - 4, report.Cycles + 4);
    }

    internal static string Describe(CosimReport report) => CosimReportJson.Serialize(report);
}
