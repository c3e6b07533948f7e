using System.Globalization;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.References;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// Key-blocked attention (issue 13): late-normalized layers the per-head lowering cannot take (over 512 tokens, or Kᵀ or
/// V of a head beyond a bank) lower to chunks of keys with recomputation; the golden model must give the untiled
/// reference's integers, and the RTL the golden model's.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class KeyBlockedAttentionTests(CosimFixture fixture, ITestOutputHelper output)
{
    private static readonly CosimOptions Bounded = new() { MaxCycles = 50_000_000, Watchdog = 500_000 };

    [Theory]
    [InlineData("small", "bert-tiny:seq=160,softmax_late=1")]
    [InlineData("small", "bert-tiny:seq=136,causal=1,softmax_late=1")]
    [InlineData("default", "bert-tiny:seq=600,softmax_late=1")]
    [InlineData("small", "bert-tiny:seq=136,softmax_late=1")]
    [InlineData("small", "bert-tiny:seq=160,causal=1,softmax_late=1")]
    public void A_key_blocked_layer_on_the_golden_model_matches_the_untiled_reference(string config, string workload)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var program = WorkloadCompiler.Compile(d, WorkloadSpec.Parse(workload));

        // Act
        var golden = GoldenSimulator.Run(d, program);
        var check = ReferenceCheck.Check(program, golden.Dram, golden.Ok, UntiledReference.ForSpec(WorkloadSpec.Parse(workload)));

        // Assert: the max passes and the output passes of several chunks are there, and the integers are the reference's
        Assert.True(golden.Ok, golden.FaultDetail);
        Assert.True(check.Match, check.Note);
        var blocks = program.Instructions.Where(i => i.Opcode == Opcode.ConfigPost && new InstructionView(i).RegIndex == (int)PostRegister.SoftmaxBlock)
            .Select(i => (long)new InstructionView(i).Value).ToHashSet();
        output.WriteLine(string.Join(",", blocks.Order()));
        Assert.Superset(new HashSet<long> { 0, 1, 3, 5, 6 }, blocks);
    }

    [SkippableTheory]
    [InlineData("small", "bert-tiny:seq=136,causal=1,softmax_late=1")]
    public async Task A_key_blocked_layer_on_the_rtl_matches_the_golden_model_and_the_reference(string config, string workload)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = WorkloadCompiler.Compile(session.Design, WorkloadSpec.Parse(workload));

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{config} {workload}: {report.Cycles} cycles"));
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.NotEqual(false, report.ReferenceMatch);
    }
}
