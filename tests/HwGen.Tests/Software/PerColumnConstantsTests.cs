using System.Buffers.Binary;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Software;

/// <summary>
/// The per-column constants on the golden model: LayerNorm's input rescale (config_post ln_in_shift, F2) and the
/// per-column GELU store (store func=gelu_col, F3 + F6), their dispatch rules and their compiled workloads.
/// </summary>
public sealed class PerColumnConstantsTests
{
    private const int DramBytes = 4096;
    private const int ProgramAddress = 0x800;

    private static GoldenResult Run(DesignModel d, string asm, byte[] dram)
    {
        var code = Assembler.AssembleToBytes(asm);
        code.CopyTo(dram, ProgramAddress);
        return GoldenSimulator.Run(d, dram, ProgramAddress, code.Length / IsaSpec.InstructionBytes);
    }

    [Theory]
    [InlineData("tiny", 9, 17, true, 16)]
    [InlineData("tiny", 3, 5, false, 1)]
    [InlineData("small", 6, 40, true, 20)]
    [InlineData("default", 4, 768, true, 16)]
    [InlineData("default", 2, 33, true, 47)]
    public void Compiled_layernorm_with_a_per_column_input_rescale_matches_the_kernel(string config, int rows, int cols, bool residual, int shift)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var w = LayerNormWorkload.Create(rows, cols, residual, seed: 5, inShift: shift);

        // Act
        var program = RowOpCompiler.Compile(d, w);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(Array.ConvertAll(w.ReferenceOutput(), v => (long)v), program.Tensors.Single(t => t.Name == "Y").Read(result.Dram));
        Assert.True(TokenChecker.Check(d, program.Instructions).Ok);
    }

    [Theory]
    [InlineData("tiny", 9, 17, true, 16)]
    [InlineData("tiny", 3, 3, true, 5)]
    [InlineData("tiny", 3, 5, false, 1)]
    [InlineData("small", 6, 40, true, 20)]
    [InlineData("default", 4, 768, true, 16)]
    public void Compiled_layernorm_with_per_column_residual_multipliers_matches_the_kernel(string config, int rows, int cols, bool residual, int shift)
    {
        // Arrange: column mode with A_j drawn per column (the third γ/β row of each block)
        var d = TestConfigs.Load(config);
        var w = LayerNormWorkload.Create(rows, cols, residual, seed: 6, inShift: shift, residualColumns: true);

        // Act
        var program = RowOpCompiler.Compile(d, w);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(Array.ConvertAll(w.ReferenceOutput(), v => (long)v), program.Tensors.Single(t => t.Name == "Y").Read(result.Dram));
        Assert.Equal(residual && cols > 1, w.ResidualMultipliers.Distinct().Count() > 1);
    }

    [Fact]
    public void Per_column_residual_multipliers_change_the_output_stay_close_to_the_float_layernorm_and_round_trip()
    {
        // Arrange
        var common = LayerNormWorkload.Create(16, 384, residual: true, seed: 4, inShift: 16);
        var columns = LayerNormWorkload.Create(16, 384, residual: true, seed: 4, inShift: 16, residualColumns: true);

        // Act
        var y = columns.ReferenceOutput();
        var f = columns.FloatReference();
        var worst = y.Select((v, i) => Math.Abs((v * columns.Constants.OutputScale) - f[i]) / columns.Constants.OutputScale).Max();
        var parsed = LayerNormWorkload.FromSpec(WorkloadSpec.Parse(columns.Spec));

        // Assert: other A_j, other output, within one output LSB of the float LayerNorm; the spec carries res_cols
        Assert.Equal(common.Input, columns.Input);
        Assert.NotEqual(common.ResidualMultipliers, columns.ResidualMultipliers);
        Assert.NotEqual(common.ReferenceOutput(), y);
        Assert.InRange(worst, 0, 1.0);
        Assert.Equal("layernorm:rows=16,cols=384,in_shift=16,res_cols=1,seed=4", columns.Spec);
        Assert.Equal(columns.ResidualMultipliers, parsed.ResidualMultipliers);
    }

    [Fact]
    public void The_input_rescale_changes_the_output_and_the_workload_spec_round_trips()
    {
        // Arrange
        var plain = LayerNormWorkload.Create(4, 24, residual: true, seed: 9);
        var scaled = LayerNormWorkload.Create(4, 24, residual: true, seed: 9, inShift: 16);

        // Act
        var parsed = LayerNormWorkload.FromSpec(WorkloadSpec.Parse(scaled.Spec));

        // Assert: same data, other result; the spec carries in_shift
        Assert.Equal(plain.Input, scaled.Input);
        Assert.NotEqual(plain.ReferenceOutput(), scaled.ReferenceOutput());
        Assert.Equal("layernorm:rows=4,cols=24,in_shift=16,seed=9", scaled.Spec);
        Assert.Equal(scaled.InputMultipliers, parsed.InputMultipliers);
    }

    [Fact]
    public void Layernorm_with_the_input_rescale_stays_close_to_the_float_layernorm_of_the_per_column_scaled_input()
    {
        // Arrange
        var w = LayerNormWorkload.Create(16, 384, residual: true, seed: 4, inShift: 16);

        // Act
        var y = w.ReferenceOutput();
        var f = w.FloatReference();
        var worst = y.Select((v, i) => Math.Abs((v * w.Constants.OutputScale) - f[i]) / w.Constants.OutputScale).Max();

        // Assert: within one output LSB
        Assert.InRange(worst, 0, 1.0);
    }

    [Theory]
    [InlineData("tiny", 7, 5)]
    [InlineData("tiny", 20, 17)]
    [InlineData("small", 9, 70)]
    [InlineData("default", 12, 768)]
    public void Compiled_per_column_gelu_matches_the_kernel_and_its_float_reference(string config, int rows, int cols)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var w = GeluWorkload.Create(rows, cols, seed: 6, perColumn: true);

        // Act
        var program = RowOpCompiler.Compile(d, w);
        var result = GoldenSimulator.Run(d, program);
        var y = program.Tensors.Single(t => t.Name == "Y").Read(result.Dram);
        var f = w.FloatReference();
        var worst = y.Select((v, i) => Math.Abs((v * w.Constants.OutputScale) - f[i]) / w.Constants.OutputScale).Max();

        // Assert: bit-exact with IntGeluColumn, within 1.5 codes of the exact per-column code
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(Array.ConvertAll(w.ReferenceOutput(), v => (long)v), y);
        Assert.InRange(worst, 0, 1.5);
        Assert.Contains(program.Instructions, i => i.Opcode == Opcode.Store && i.Get64("func") == (int)StoreFunc.GeluColumn);
        Assert.True(TokenChecker.Check(d, program.Instructions).Ok);
    }

    [Fact]
    public void A_gelu_col_store_reads_lane_j_of_the_two_constants_rows_for_column_j()
    {
        // Arrange: tiny (4 columns); x row at acc 0, constants rows at acc 10 and 11, GELU constants per tensor
        var d = TestConfigs.Load("tiny");
        var c = IntGeluConstants.FromScale(1.0 / 4096, 4.0 / 127);
        var columns = new[]
        {
            new IntGeluColumn(1, 0, (int)c.Output.Multiplier, c.Output.Shift, 0),
            new IntGeluColumn(40000, 16, 20000, c.Output.Shift, -30),
            new IntGeluColumn(65535, 17, 12345, c.Output.Shift + 1, 5),
            new IntGeluColumn(3, 1, 32767, 62, -128),
        };
        var x = new[] { 9000, -7000, 16000, 123456 };
        var dram = new byte[DramBytes];
        for (var j = 0; j < 4; j++)
        {
            var (inWord, outWord) = columns[j].Encode();
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(4 * j), x[j]);
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(16 + (4 * j)), inWord);
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(32 + (4 * j)), outWord);
        }

        var asm = $"""
            load target=acc rows=1 cols=4 local_addr=0 dram_addr=0
            load target=acc rows=2 cols=4 local_addr=10 dram_addr=16 dram_stride=16
            config_post reg=gelu_clip value={c.ClipMagnitude}
            config_post reg=gelu_offset value={c.Offset}
            config_post reg=gelu_erf_shift value={c.ErfShift}
            config_post reg=gelu_one value={c.One}
            config_post reg=gelu_cols value=10
            store func=gelu_col rows=1 cols=4 local_addr=0 dram_addr=0x100
            """;

        // Act
        var result = Run(d, asm, dram);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(x.Select((q, j) => (byte)columns[j].Apply(q, c)), result.Dram.AsSpan(0x100, 4).ToArray());
    }

    [Fact]
    public void Add_in_column_mode_rescales_x_per_column_and_aligns_the_residual_by_a_j()
    {
        // Arrange: x and the residual r in the accumulator, then three constant rows at ln_affine (m_j in γ's high 16 bits,
        // β unused, A_j); the same add without ln_in_shift for comparison
        var d = TestConfigs.Load("tiny");
        var dram = new byte[DramBytes];
        int[] x = [1000, -2001, 3003, -40004], r = [7, -9, 100, -128];
        ushort[] m = [0x8000, 0x4000, 0x2001, 0x7fff];
        int[] a = [0x40000000, 0x20000000, 0x10000001, 0x7fffffff];
        for (var j = 0; j < 4; j++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(4 * j), x[j]);
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(16 + (4 * j)), r[j]);
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(32 + (4 * j)), m[j] << 16);
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(64 + (4 * j)), a[j]);
        }

        const string Program = """
            load target=acc rows=1 cols=4 local_addr=0 dram_addr=0
            load target=acc rows=1 cols=4 local_addr=10 dram_addr=16
            load target=acc rows=3 cols=4 local_addr=20 dram_addr=32 dram_stride=16
            config_post reg=ln_affine value=20
            config_post reg=ln_residual value=11
            config_post reg=ln_res_mult value=1073741824
            config_post reg=ln_res_shift value=30
            config_post reg=add_out_mult value=1073741824
            config_post reg=add_out_shift value=36
            {0}
            normalize func=add rows=1 width=4 local_addr=0 dram_addr=0x100
            """;

        // Act
        var plain = Run(d, Program.Replace("{0}", string.Empty, StringComparison.Ordinal), (byte[])dram.Clone());
        var columns = Run(d, Program.Replace("{0}", "config_post reg=ln_in_shift value=15", StringComparison.Ordinal), (byte[])dram.Clone());

        // Assert: column j's h = ScaleInput(x_j, m_j, 15) + round(r_j·A_j / 2^30), requantized by add_out_*
        Assert.True(plain.Ok && columns.Ok, plain.FaultDetail + columns.FaultDetail);
        var expected = x.Select((v, j) => (byte)Requantizer.Apply(
            FixedPoint.SaturateInt32(IntLayerNorm.ScaleInput(v, m[j], 15) + FixedPoint.RoundShift((long)r[j] * a[j], 30)),
            1073741824, 36, relu: false)).ToArray();
        Assert.Equal(expected, columns.Dram.AsSpan(0x100, 4).ToArray());
        Assert.NotEqual(plain.Dram.AsSpan(0x100, 4).ToArray(), columns.Dram.AsSpan(0x100, 4).ToArray());
    }

    [Theory]
    [InlineData("config_post reg=ln_in_shift value=48", FaultCode.BadField)]
    [InlineData("config_post reg=ln_in_shift value=15\nconfig_post reg=ln_affine value=254\nnormalize func=add rows=1 width=4", FaultCode.AccRange)]
    [InlineData("config_post reg=gelu_cols value=65536", FaultCode.BadField)]
    [InlineData("config_post reg=row_scale_base value=1024", FaultCode.BadField)]
    [InlineData("config_post reg=gelu_cols value=255\nstore func=gelu_col rows=1 cols=4", FaultCode.AccRange)]
    [InlineData("config_post reg=gelu_cols value=254\nstore func=gelu_col rows=1 cols=4 local_addr=256", FaultCode.AccRange)]
    public void Per_column_rules_fault_at_the_offending_instruction(string lines, FaultCode expected)
    {
        // Arrange: tiny has 256 accumulator rows
        var d = TestConfigs.Load("tiny");

        // Act
        var result = Run(d, "store rows=1 cols=4 dram_addr=0x100\n" + lines + "\n", new byte[DramBytes]);

        // Assert
        Assert.Equal(expected, result.Fault);
        Assert.Equal(lines.Count(ch => ch == '\n') + 1, result.FaultPc);
    }

    [Fact]
    public void The_last_legal_constants_rows_do_not_fault_and_gelu_col_needs_the_gelu_unit()
    {
        // Arrange
        var tiny = TestConfigs.Load("tiny");
        var lean = TestConfigs.Load("ice40");

        // Act
        var ok = Run(tiny, "config_post reg=gelu_cols value=254\nstore func=gelu_col rows=1 cols=4 local_addr=255\n", new byte[DramBytes]);
        var noUnit = Run(lean, "store func=gelu_col rows=1 cols=1\n", new byte[DramBytes]);

        // Assert
        Assert.True(ok.Ok, ok.FaultDetail);
        Assert.Equal(FaultCode.BadField, noUnit.Fault);
    }
}
