using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Programs;
using HwGen.Software.References;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

/// <summary>The untiled reference and the check of golden outputs against it (no Verilator needed).</summary>
public sealed class ReferenceCheckTests
{
    /// <summary>A compiled GEMM whose input A[0, 0] is changed after compilation: the program no longer computes the workload.</summary>
    internal static CompiledProgram AlteredGemm(DesignModel d)
    {
        var program = WorkloadCompiler.Compile(d, WorkloadSpec.Parse("gemm:M=6,N=5,K=7,seed=3"));
        var a = program.Tensors.Single(t => t.Name == "A");
        var dram = (byte[])program.Dram.Clone();
        dram[a.Address] = unchecked((byte)(dram[a.Address] ^ 0x55));
        return program with { Dram = dram };
    }

    [Fact]
    public void A_GEMM_whose_input_was_altered_after_compilation_is_named_a_golden_versus_reference_disagreement()
    {
        // Arrange
        var d = TestConfigs.Load("tiny");
        var program = AlteredGemm(d);
        var reference = UntiledReference.ForProgram(program);
        var golden = GoldenSimulator.Run(d, program);

        // Act
        var check = ReferenceCheck.Check(program, golden.Dram, golden.Ok, reference);

        // Assert: row 0 of C (the row A[0, 0] feeds) is the first to differ, with the reference's value as expected.
        Assert.NotNull(reference);
        Assert.False(check.Match);
        Assert.NotNull(check.Mismatch);
        Assert.Equal("C", check.Mismatch.Tensor);
        Assert.Equal(0, check.Mismatch.Row);
        Assert.Equal(reference.Single(t => t.Name == "C").Values[check.Mismatch.Col], check.Mismatch.Expected);
        Assert.NotEqual(check.Mismatch.Expected, check.Mismatch.Actual);
        Assert.StartsWith("golden vs reference", check.Note, StringComparison.Ordinal);
        Assert.Equal(Disagreement.GoldenVsReference, ReferenceCheck.Attribute(rtlMatchesGolden: true, check));
        Assert.Equal(Disagreement.Both, ReferenceCheck.Attribute(rtlMatchesGolden: false, check));
    }

    [Fact]
    public void An_RTL_disagreement_on_a_correct_program_is_named_RTL_versus_golden()
    {
        // Arrange
        var d = TestConfigs.Load("tiny");
        var program = WorkloadCompiler.Compile(d, WorkloadSpec.Parse("gemm:M=6,N=5,K=7,seed=3"));
        var golden = GoldenSimulator.Run(d, program);

        // Act
        var check = ReferenceCheck.Check(program, golden.Dram, golden.Ok, UntiledReference.ForProgram(program));

        // Assert
        Assert.True(check.Match, check.Note);
        Assert.Equal(Disagreement.RtlVsGolden, ReferenceCheck.Attribute(rtlMatchesGolden: false, check));
        Assert.Equal(Disagreement.None, ReferenceCheck.Attribute(rtlMatchesGolden: true, check));
    }

    [Theory]
    [InlineData("small", "gemm:M=37,N=29,K=51,seed=5,relu=1")]
    [InlineData("small", "gemm+gelu:M=9,N=20,K=33,seed=2")]
    [InlineData("small", "softmax:rows=7,cols=40,causal=1,seed=4")]
    [InlineData("small", "layernorm:rows=5,cols=24,residual=1,seed=6")]
    [InlineData("small", "resadd:rows=5,cols=24,residual=1,seed=6")]
    [InlineData("small", "gelu:rows=3,cols=19,seed=8")]
    [InlineData("small", "bert-tiny:seq=8,seed=2,layers=2")]
    public void The_golden_outputs_of_every_workload_kind_equal_its_untiled_reference(string config, string workload)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var spec = WorkloadSpec.Parse(workload);
        var program = WorkloadCompiler.Compile(d, spec);
        var golden = GoldenSimulator.Run(d, program);

        // Act
        var reference = UntiledReference.ForSpec(spec);
        var check = ReferenceCheck.Check(program, golden.Dram, golden.Ok, reference);

        // Assert
        Assert.True(golden.Ok, golden.FaultDetail);
        Assert.True(check.Match, check.Note);
        Assert.Equal(reference.Count, check.Tensors);
    }

    [Fact]
    public void A_hand_written_program_has_no_reference_and_the_check_says_so()
    {
        // Arrange
        var d = TestConfigs.Load("tiny");
        var program = WorkloadCompiler.Compile(d, WorkloadSpec.Parse("gemm:M=2,N=2,K=2")) with { Workload = "program:handwritten.s" };

        // Act
        var reference = UntiledReference.ForProgram(program);
        var check = ReferenceCheck.Check(program, program.Dram, goldenCompleted: true, reference);

        // Assert
        Assert.Null(reference);
        Assert.Null(check.Match);
        Assert.Contains("hand-written", check.Note, StringComparison.Ordinal);
        Assert.Equal(Disagreement.RtlVsGolden, ReferenceCheck.Attribute(rtlMatchesGolden: false, check));
    }
}
