using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Performance;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Software;

/// <summary>LayerNorm and residual-add compilation on the golden model, the layer compiler's residual-add API and the bank layout.</summary>
public sealed class RowOpCompilerTests
{
    [Theory]
    [InlineData("tiny", 9, 17, true)]
    [InlineData("tiny", 13, 160, true)]
    [InlineData("tiny", 5, 200, true)]
    [InlineData("small", 20, 40, false)]
    [InlineData("small", 3, 768, true)]
    [InlineData("default", 30, 768, true)]
    [InlineData("default", 1, 4096, true)]
    public void Compiled_layernorm_on_the_golden_simulator_matches_the_kernel(string config, int rows, int cols, bool residual)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var w = LayerNormWorkload.Create(rows, cols, residual, seed: 3);

        // Act
        var program = RowOpCompiler.Compile(d, w);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        AssertMatchesTheKernel(d, program, result, w.ReferenceOutput());
        Assert.True(PerfModel.Estimate(d, program).TotalCycles > 0);
    }

    [Theory]
    [InlineData("tiny", 9, 17, true)]
    [InlineData("tiny", 3, 3, false)]
    [InlineData("small", 40, 100, true)]
    [InlineData("default", 64, 768, true)]
    [InlineData("default", 2, 4096, false)]
    public void Compiled_residual_add_on_the_golden_simulator_matches_the_kernel(string config, int rows, int cols, bool residual)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var w = ResidualAddWorkload.Create(rows, cols, residual, seed: 3);

        // Act
        var program = RowOpCompiler.Compile(d, w);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        AssertMatchesTheKernel(d, program, result, w.ReferenceOutput());
    }

    [Theory]
    [InlineData("small", 200)]
    [InlineData("default", 768)]
    [InlineData("default", 3072)]
    public void Where_it_fits_every_chunk_puts_x_and_its_residual_in_different_banks(string config, int cols)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var program = RowOpCompiler.Compile(d, LayerNormWorkload.Create(40, cols, residual: true, seed: 1));
        var blocks = (cols + d.Cols - 1) / d.Cols;
        var residualRow = 0L;
        var checkedNormalizes = 0;

        // Act and Assert
        foreach (var insn in program.Instructions)
        {
            if (insn.Opcode == Opcode.ConfigPost && insn.Get64("reg") == IsaSpec.PostRegisters.Single(r => r.Name == "ln_residual").Index)
            {
                residualRow = insn.Get64("value") - 1;
            }
            else if (insn.Opcode == Opcode.Normalize)
            {
                Assert.True(MemoryPlan.PairedReads(d, insn.Get64("local_addr"), residualRow, blocks * insn.Get64("rows")));
                checkedNormalizes++;
            }
        }

        Assert.True(checkedNormalizes > 0);
    }

    [Fact]
    public void Paired_reads_need_each_range_inside_one_bank_and_the_banks_to_differ()
    {
        // Arrange: default has 2 banks of 1024 accumulator rows
        var d = TestConfigs.Load("default");

        // Act and Assert
        Assert.True(MemoryPlan.PairedReads(d, 0, 1024, 100));
        Assert.True(MemoryPlan.PairedReads(d, 1100, 10, 500));
        Assert.False(MemoryPlan.PairedReads(d, 0, 500, 100));
        Assert.False(MemoryPlan.PairedReads(d, 1000, 1100, 100));
        Assert.False(MemoryPlan.PairedReads(d, 0, 1024, 0));
    }

    [Fact]
    public void The_residual_add_configuration_sets_the_alignment_and_the_output_and_the_residual_row_is_one_based()
    {
        // Arrange
        var c = IntResidualAddConstants.FromScales(1e-4, 3e-3, 0.05);

        // Act
        var insns = PostConfig.ResidualAdd(c).Append(PostConfig.ResidualRow(1024)).Select(p => p.Build()).ToList();

        // Assert
        string Reg(Instruction i) => IsaSpec.PostRegisters.Single(r => r.Index == (int)i.Get64("reg")).Name;
        Assert.Equal(["ln_res_mult", "ln_res_shift", "add_out_mult", "add_out_shift", "ln_residual"], insns.Select(Reg));
        Assert.Equal([c.Residual!.Multiplier, c.Residual.Shift, c.Output.Multiplier, c.Output.Shift, 1025L], insns.Select(i => i.Get64("value")));
        Assert.Equal(0L, PostConfig.ResidualRow(null).Build().Get64("value"));
    }

    [Fact]
    public void The_golden_model_checks_add_like_layernorm_without_gamma_beta()
    {
        // Arrange: tiny has the LayerNorm unit; ice40 has none. ln_affine near the top of tiny's accumulator.
        var tiny = new GoldenSimulator(TestConfigs.Load("tiny"));
        var ice40 = new GoldenSimulator(TestConfigs.Load("ice40"));
        var add = Assembler.Assemble("normalize func=add rows=1 width=8 local_addr=0").Single();

        // Act
        var onTiny = tiny.Check(add);
        var onIce40 = ice40.Check(add);
        var causal = tiny.Check(Assembler.Assemble("normalize func=add causal=1 rows=1 width=8").Single());
        var late = ice40.Check(Assembler.Assemble("normalize func=softmax_late rows=1 width=8").Single());

        // Assert
        Assert.Equal(FaultCode.None, onTiny.Fault);
        Assert.Equal(FaultCode.BadField, onIce40.Fault);
        Assert.Contains("units.layernorm", onIce40.Detail, StringComparison.Ordinal);
        Assert.Equal(FaultCode.BadField, causal.Fault);
        Assert.Equal(FaultCode.BadField, late.Fault);
        Assert.Contains("units.softmax", late.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Resadd_is_a_workload_kind_with_an_optional_residual()
    {
        // Arrange
        var spec = WorkloadSpec.Parse("resadd:rows=4,cols=9,residual=0");

        // Act
        var program = RowOpCompiler.Compile(TestConfigs.Load("tiny"), spec);

        // Assert
        Assert.Equal("resadd:rows=4,cols=9,residual=0,seed=1", program.Workload);
        Assert.DoesNotContain(program.Tensors, t => t.Name == "R");
        Assert.Equal("resadd", Assert.Single(program.References).Kernel);
    }

    /// <summary>The golden run ended without a fault, Y is the kernel's output bit for bit, and the tokens balance.</summary>
    private static void AssertMatchesTheKernel(DesignModel d, CompiledProgram program, GoldenResult result, sbyte[] expected)
    {
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(Array.ConvertAll(expected, v => (long)v), program.Tensors.Single(t => t.Name == "Y").Read(result.Dram));
        var tokens = TokenChecker.Check(d, program.Instructions);
        Assert.True(tokens.Ok, string.Join("; ", tokens.Errors));
    }
}
