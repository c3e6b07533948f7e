using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Golden;

namespace HwGen.Tests.Software;

public sealed class GoldenSimulatorTests
{
    // 8 rows x 4 cols, weight-stationary only: SP rows of 8 bytes x 128, ACC rows of 4 int32 x 64.
    private static readonly DesignModel Mixed = DesignResolver.LoadText(
        "name: mixed\narray:\n  rows: 8\n  cols: 4\n  dataflow: ws\nscratchpad:\n  kib: 1\n  banks: 1\naccumulator:\n  kib: 1\n  banks: 1\n");

    private const int DramBytes = 4096;
    private const int ProgramAddress = 0x800;

    private static GoldenResult Run(DesignModel d, string asm, byte[]? dram = null)
    {
        dram ??= new byte[DramBytes];
        var code = Assembler.AssembleToBytes(asm);
        code.CopyTo(dram, ProgramAddress);
        return GoldenSimulator.Run(d, dram, ProgramAddress, code.Length / IsaSpec.InstructionBytes);
    }

    [Fact]
    public void The_design_under_test_has_the_expected_shape()
    {
        Assert.Equal((8, 128, 64, 4), (Mixed.SpRowBytes, Mixed.SpDepth, Mixed.AccDepth, Mixed.Cols));
    }

    [Theory]
    [InlineData("load target=3 rows=1 cols=1", FaultCode.BadField)]
    [InlineData("load rows=0 cols=1", FaultCode.BadField)]
    [InlineData("load rows=1 cols=0", FaultCode.BadField)]
    [InlineData("load rows=1 cols=9", FaultCode.BadField)]
    [InlineData("load target=sp_t rows=1 cols=9", FaultCode.BadField)]
    [InlineData("load target=acc rows=1 cols=5", FaultCode.BadField)]
    [InlineData("load target=sp_t rows=9 cols=1", FaultCode.BadField)]
    [InlineData("load rows=2 cols=8 local_addr=127", FaultCode.SpRange)]
    [InlineData("load target=sp_t rows=8 cols=2 local_addr=127", FaultCode.SpRange)]
    [InlineData("load target=acc rows=2 cols=4 local_addr=63", FaultCode.AccRange)]
    [InlineData("store rows=0 cols=1", FaultCode.BadField)]
    [InlineData("store rows=1 cols=5", FaultCode.BadField)]
    [InlineData("store rows=1 cols=0", FaultCode.BadField)]
    [InlineData("store rows=65 cols=4", FaultCode.AccRange)]
    [InlineData("config_store shift=63 multiplier=1", FaultCode.BadField)]
    [InlineData("config_store multiplier=0x80000000", FaultCode.BadField)]
    [InlineData("compute dataflow=os rows=1 k=1", FaultCode.BadField)]
    [InlineData("compute mode=3 rows=1 k=1", FaultCode.BadField)]
    [InlineData("compute rows=0 k=1", FaultCode.BadField)]
    [InlineData("compute rows=1 k=0", FaultCode.BadField)]
    [InlineData("compute rows=1 k=9", FaultCode.BadField)]
    [InlineData("compute rows=2 k=1 a_addr=127", FaultCode.SpRange)]
    [InlineData("compute rows=1 k=8 b_addr=121", FaultCode.SpRange)]
    [InlineData("compute rows=2 k=1 c_addr=63", FaultCode.AccRange)]
    [InlineData("compute mode=bias rows=1 k=1 bias_addr=64", FaultCode.AccRange)]
    [InlineData("load rows=1 cols=8 dram_addr=4089", FaultCode.DmaReadError)]
    [InlineData("load rows=2 cols=1 dram_addr=0 dram_stride=4096", FaultCode.DmaReadError)]
    [InlineData("load target=acc rows=1 cols=2 dram_addr=4089", FaultCode.DmaReadError)]
    [InlineData("store rows=1 cols=4 dram_addr=0xFFFFFFFF", FaultCode.DmaWriteError)]
    [InlineData("load elem16=1 rows=1 cols=8 dram_addr=4081", FaultCode.DmaReadError)]
    [InlineData("load target=acc elem16=1 rows=1 cols=4 dram_addr=4089", FaultCode.DmaReadError)]
    [InlineData("normalize func=softmax wide=1 rows=1 width=4", FaultCode.BadField)]
    [InlineData("load int4=1 elem16=1 rows=1 cols=8", FaultCode.BadField)]
    [InlineData("load target=acc int4=1 rows=1 cols=4", FaultCode.BadField)]
    [InlineData("load int4=1 rows=1 cols=9", FaultCode.BadField)]
    [InlineData("load int4=1 rows=2 cols=8 local_addr=127", FaultCode.SpRange)]
    [InlineData("load int4=1 rows=1 cols=7 dram_addr=4093", FaultCode.DmaReadError)]
    [InlineData("normalize func=layernorm wide=1 rows=1 width=4 dram_addr=4089", FaultCode.DmaWriteError)]
    public void Each_dispatch_and_dma_rule_faults_precisely_at_the_offending_instruction(string line, FaultCode expected)
    {
        // Arrange: a legal store first, which must complete before the fault.
        var asm = "store rows=1 cols=4 dram_addr=0x100\n" + line + "\nstore rows=1 cols=4 dram_addr=0x200\n";
        var dram = new byte[DramBytes];
        dram.AsSpan(0x100, 4).Fill(0xEE);
        dram.AsSpan(0x200, 4).Fill(0xEE);

        // Act
        var result = Run(Mixed, asm, dram);

        // Assert
        Assert.Equal(expected, result.Fault);
        Assert.Equal(1, result.FaultPc);
        Assert.Equal(1, result.Executed);
        Assert.Equal(new byte[4], result.Dram.AsSpan(0x100, 4).ToArray());
        Assert.Equal(Enumerable.Repeat((byte)0xEE, 4), result.Dram.AsSpan(0x200, 4).ToArray());
    }

    [Fact]
    public void Legal_boundary_instructions_do_not_fault()
    {
        // Arrange
        const string Asm = """
            load rows=1 cols=8 local_addr=127 dram_addr=4088
            load target=sp_t rows=8 cols=8 local_addr=120 dram_stride=8
            load target=acc rows=1 cols=4 local_addr=63 dram_addr=4080
            compute rows=1 k=8 a_addr=127 b_addr=120 c_addr=63 mode=bias bias_addr=63
            config_store shift=62 multiplier=0x7FFFFFFF relu=1
            store rows=64 cols=4 dram_addr=3840 dram_stride=4
            load elem16=1 rows=1 cols=8 local_addr=127 dram_addr=4080
            load int4=1 rows=1 cols=7 local_addr=127 dram_addr=4092
            """;

        // Act
        var result = Run(Mixed, Asm);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(8, result.Executed);
    }

    [Fact]
    public void An_undefined_opcode_faults_with_illegal_opcode_and_fetch_beyond_dram_with_fetch_error()
    {
        // Arrange
        var dram = new byte[DramBytes];
        Assembler.AssembleToBytes("config_store multiplier=1").CopyTo(dram, ProgramAddress);
        Assembler.AssembleToBytes("config_store multiplier=1").CopyTo(dram, DramBytes - 16);

        // Act
        var illegal = GoldenSimulator.Run(Mixed, dram, ProgramAddress, 2);
        var beyond = GoldenSimulator.Run(Mixed, dram, DramBytes - 16, 2);

        // Assert
        Assert.Equal((FaultCode.IllegalOpcode, 1), (illegal.Fault, illegal.FaultPc));
        Assert.Equal((FaultCode.FetchError, 1), (beyond.Fault, beyond.FaultPc));
        Assert.Equal("illegal_opcode", illegal.FaultName);
    }

    [Fact]
    public void A_misaligned_program_address_faults_with_prog_align_and_a_program_past_2_to_the_32_with_prog_range_at_pc_0()
    {
        // Arrange
        var dram = new byte[DramBytes];
        Assembler.AssembleToBytes("config_store multiplier=1").CopyTo(dram, ProgramAddress + 8);

        // Act
        var misaligned = GoldenSimulator.Run(Mixed, dram, ProgramAddress + 8, 1);
        var empty = GoldenSimulator.Run(Mixed, dram, ProgramAddress + 8, 0);
        var wrapping = GoldenSimulator.Run(Mixed, dram, (1L << 32) - 16, 2);
        var lastFits = GoldenSimulator.Run(Mixed, dram, (1L << 32) - 16, 1);

        // Assert
        Assert.Equal((FaultCode.ProgAlign, 0, 0), (misaligned.Fault, misaligned.FaultPc, misaligned.Executed));
        Assert.Equal((FaultCode.ProgAlign, 0), (empty.Fault, empty.FaultPc));
        Assert.Equal((FaultCode.ProgRange, 0), (wrapping.Fault, wrapping.FaultPc));
        Assert.Equal((FaultCode.FetchError, 0), (lastFits.Fault, lastFits.FaultPc));
        Assert.Equal("prog_align", misaligned.FaultName);
    }

    [Fact]
    public void Fault_codes_mirror_the_isa_definition()
    {
        foreach (var (name, code, _) in IsaSpec.FaultCodes)
        {
            Assert.Equal(name.Replace("_", string.Empty, StringComparison.Ordinal), ((FaultCode)code).ToString(), ignoreCase: true);
        }
    }

    [Fact]
    public void Loads_zero_fill_and_transpose_and_compute_modes_follow_the_isa()
    {
        // Arrange: A (2x3) at 0, B (3x4) at 0x40, bias row (4 x int32) at 0x80.
        var dram = new byte[DramBytes];
        sbyte[] a = [1, -2, 3, 4, 5, -6];
        sbyte[] b = [1, 2, 3, 4, -1, -2, -3, -4, 7, 0, 0, 7];
        for (var i = 0; i < a.Length; i++) { dram[i] = (byte)a[i]; }
        for (var i = 0; i < b.Length; i++) { dram[0x40 + i] = (byte)b[i]; }
        for (var j = 0; j < 4; j++) { BitConverter.GetBytes(1000 * (j + 1)).CopyTo(dram, 0x80 + (4 * j)); }
        const string Asm = """
            load rows=2 cols=3 local_addr=0 dram_addr=0 dram_stride=3
            load rows=3 cols=4 local_addr=10 dram_addr=0x40 dram_stride=4
            load target=sp_t rows=2 cols=3 local_addr=20 dram_addr=0 dram_stride=3
            load target=acc rows=1 cols=4 local_addr=40 dram_addr=0x80 dram_stride=16
            compute dataflow=ws mode=bias rows=2 k=3 a_addr=0 b_addr=10 c_addr=0 bias_addr=40
            compute dataflow=ws mode=accumulate rows=2 k=3 a_addr=0 b_addr=10 c_addr=0
            compute dataflow=ws mode=overwrite rows=2 k=3 a_addr=0 b_addr=10 c_addr=2
            """;
        var sim = new GoldenSimulator(Mixed);
        var code = Assembler.AssembleToBytes(Asm);
        code.CopyTo(dram, ProgramAddress);

        // Act
        var result = sim.Execute(dram, ProgramAddress, code.Length / 16);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(0, sim.Scratchpad(0, 3));            // zero fill beyond cols
        Assert.Equal(-2, sim.Scratchpad(21, 0));          // transposed: SP[20+c][r] = A[r][c]
        Assert.Equal(5, sim.Scratchpad(21, 1));
        Assert.Equal(0, sim.Scratchpad(21, 2));
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                var dot = 0;
                for (var t = 0; t < 3; t++) { dot += a[(i * 3) + t] * b[(t * 4) + j]; }
                Assert.Equal(dot, sim.Accumulator(2 + i, j));
                Assert.Equal((2 * dot) + (1000 * (j + 1)), sim.Accumulator(i, j));
            }
        }

        Assert.Equal(3L * 2 * 3 * 4, result.Macs);
    }

    [Fact]
    public void Stores_requantize_with_the_current_config_and_write_only_cols_bytes()
    {
        // Arrange: acc row = [100, -100, 7, 9] via a bias load; two stores with different configs.
        var dram = new byte[DramBytes];
        int[] row = [100, -100, 7, 9];
        for (var j = 0; j < 4; j++) { BitConverter.GetBytes(row[j]).CopyTo(dram, 0x80 + (4 * j)); }
        dram.AsSpan(0x300, 16).Fill(0xEE);
        const string Asm = """
            load target=acc rows=1 cols=4 local_addr=5 dram_addr=0x80
            config_store multiplier=1 shift=1
            store rows=1 cols=3 local_addr=5 dram_addr=0x300
            config_store multiplier=3 shift=0 relu=1
            store rows=1 cols=4 local_addr=5 dram_addr=0x308
            """;

        // Act
        var result = Run(Mixed, Asm, dram);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(new sbyte[] { 50, -50, 4, unchecked((sbyte)0xEE) }, result.Dram.AsSpan(0x300, 4).ToArray().Select(x => (sbyte)x));
        Assert.Equal(new sbyte[] { 127, 0, 21, 27 }, result.Dram.AsSpan(0x308, 4).ToArray().Select(x => (sbyte)x));
    }
}
