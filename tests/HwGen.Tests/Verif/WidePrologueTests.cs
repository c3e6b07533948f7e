using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Programs;
using HwGen.Software.References;
using HwGen.Software.Workloads;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

/// <summary>The fuzzer's 16-bit residual-stream prologue: it exercises elem16 and wide, leaves the workload intact, and the RTL agrees.</summary>
[Collection(CosimGroup.Name)]
public sealed class WidePrologueTests(CosimFixture fixture)
{
    [Theory]
    [InlineData("tiny", "layernorm:rows=5,cols=9,residual=1")]
    [InlineData("small", "gemm:M=9,N=13,K=20,relu=1")]
    [InlineData("default", "resadd:rows=4,cols=40,residual=0")]
    public void The_prologue_runs_elem16_loads_and_wide_normalizes_and_leaves_the_workload_matching_its_reference(string config, string workload)
    {
        var design = fixture.Session(config).Design;
        foreach (var seed in new ulong[] { 3, 6, 9, 12 })
        {
            // Arrange
            var program = WorkloadCompiler.Compile(design, WorkloadSpec.Parse($"{workload},seed={seed}"));

            // Act
            var wide = WidePrologue.Prepend(design, program, seed);
            var golden = GoldenSimulator.Run(design, wide);

            // Assert
            Assert.True(golden.Ok, golden.FaultDetail);
            var views = wide.Instructions.Select(i => new InstructionView(i)).ToList();
            Assert.Contains(views, v => v.Opcode == Opcode.Load && v.Elem16);
            Assert.Contains(views, v => v.Opcode == Opcode.Normalize && v.Wide);
            Assert.Equal(program.Instructions.Count + views.TakeWhile(v => v.Instruction != program.Instructions[0]).Count(), views.Count);
            var check = ReferenceCheck.Check(wide, golden.Dram, golden.Ok, UntiledReference.ForProgram(program));
            Assert.True(check.Match, check.Note);
        }
    }

    [SkippableTheory]
    [InlineData("tiny", "softmax:rows=3,cols=9,causal=1", 3UL)]
    [InlineData("small", "layernorm:rows=4,cols=21,residual=1", 6UL)]
    [InlineData("default", "gemm:M=20,N=17,K=9", 9UL)]
    public async Task A_fuzz_case_with_the_prologue_passes_on_the_RTL(string config, string workload, ulong seed)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var fuzzer = new Fuzzer(new FuzzSettings { MaxCycles = 5_000_000, OutputDirectory = Path.Combine(Path.GetTempPath(), "hwgen-fuzz-wide-test") });
        var c = new FuzzCase($"configs/{config}.yaml", workload, HwGen.Generator.Design.Dataflow.Ws, seed, 3, 25, 4, Wide16: true);

        // Act
        var result = await fuzzer.RunCaseAsync(session, c);

        // Assert
        Assert.True(result.Verdict == FuzzVerdict.Pass, $"{result.Verdict}: {result.Summary}; {result.ReproCommand}");
        Assert.Equal(workload[..workload.IndexOf(':', StringComparison.Ordinal)] + (workload.Contains("causal=1", StringComparison.Ordinal) ? "+causal" : workload.Contains("residual=1", StringComparison.Ordinal) ? "+residual" : string.Empty) + "+wide16", c.WorkloadLabel);
    }
}
