using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Workloads;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

/// <summary>The same configuration, workload and seed give the same cycles and counters, run after run.</summary>
[Collection(CosimGroup.Name)]
public sealed class DeterminismCosimTests(CosimFixture fixture)
{
    [SkippableTheory]
    [InlineData("tiny", Dataflow.Os, 0)]
    [InlineData("small", Dataflow.Ws, 35)]
    public async Task Two_runs_of_the_same_case_and_seed_give_identical_cycles_and_counters(string config, Dataflow dataflow, int stallPercent)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var options = new CosimOptions { Seed = 77, StallPercent = stallPercent, Jitter = stallPercent / 5, ReadLatency = 3, WriteLatency = 2 };

        // Act
        var first = await session.RunAsync(GemmCompiler.Compile(session.Design, GemmWorkload.Create(37, 29, 51, seed: 5), dataflow), options);
        var second = await session.RunAsync(GemmCompiler.Compile(session.Design, GemmWorkload.Create(37, 29, 51, seed: 5), dataflow), options);

        // Assert
        Assert.True(first.Match, GemmCosimTests.Describe(first));
        Assert.True(first.Irq);
        Assert.Equal(first.Cycles, second.Cycles);
        Assert.Equal(first.Counters, second.Counters);
        Assert.Equal(first.Axi, second.Axi);
    }
}
