using HwGen.Generator.Isa;
using HwGen.Software.Golden;
using HwGen.Software.Programs;

namespace HwGen.Tests.Software;

/// <summary>Hand-written programs (<c>.word</c> raw instructions) and the golden model's prediction of injected AXI errors.</summary>
public sealed class HandWrittenProgramTests
{
    [Fact]
    public void A_raw_word_with_an_undefined_opcode_ends_the_decoded_program_but_counts_in_its_length()
    {
        // Arrange
        const string Text = """
            config_store multiplier=1 shift=0   # 0
            .word 0x000000000000000000000000000000EE   ; 1: opcode 0xEE
            config_store multiplier=2 shift=1   # 2
            """;

        // Act
        var program = AssembledProgram.Create("raw", AssembledProgram.Words(Text), new byte[100]);
        var golden = GoldenSimulator.Run(TestConfigs.Load("tiny"), program);

        // Assert
        Assert.Equal(3, program.Length);
        Assert.Single(program.Instructions);
        Assert.Equal(4096, program.ProgramAddress);
        Assert.Equal(0xEE, program.Dram[4096 + 16]);
        Assert.Equal(FaultCode.IllegalOpcode, golden.Fault);
        Assert.Equal(1, golden.FaultPc);
    }

    [Fact]
    public void A_malformed_raw_word_is_an_assembly_error_with_its_line()
    {
        // Arrange
        const string Text = "config_store multiplier=1\n.word 0xZZ\n";

        // Act
        var ex = Assert.Throws<AssemblyException>(() => AssembledProgram.Words(Text));

        // Assert
        Assert.Contains("2", ex.Message, StringComparison.Ordinal);
        Assert.Contains(".word", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x40, 0x41, true, false, FaultCode.DmaReadError, 1)]
    [InlineData(0x100, 0x101, false, true, FaultCode.DmaWriteError, 4)]
    [InlineData(0x1020, 0x1030, true, false, FaultCode.FetchError, 2)]
    [InlineData(0x100, 0x101, true, false, FaultCode.None, -1)]
    [InlineData(0x40, 0x41, false, true, FaultCode.None, -1)]
    public void The_golden_model_predicts_an_injected_slave_error_by_direction(long start, long end, bool reads, bool writes, FaultCode fault, int pc)
    {
        // Arrange
        var dir = Path.Combine(TestConfigs.RepoRoot, "examples", "programs");
        var program = AssembledProgram.Load(Path.Combine(dir, "gemm4.s"), Path.Combine(dir, "gemm4.bin"));

        // Act
        var golden = GoldenSimulator.Run(TestConfigs.Load("tiny"), program, new InjectedError(start, end, reads, writes));

        // Assert
        Assert.Equal(fault, golden.Fault);
        Assert.Equal(pc, golden.FaultPc);
    }

    [Fact]
    public void A_read_error_next_to_a_row_faults_when_it_shares_the_rows_bus_beat()
    {
        // Arrange: the load reads bytes 0x00..0x03 of B's region on a 128-bit bus; 0x4C shares the beat 0x40..0x4F.
        var words = AssembledProgram.Words("load target=sp rows=1 cols=4 local_addr=0 dram_addr=0x40 dram_stride=4");
        var program = AssembledProgram.Create("beat", words, new byte[4096]);
        var design = TestConfigs.Load("default");

        // Act
        var inBeat = GoldenSimulator.Run(design, program, new InjectedError(0x4C, 0x4D));
        var nextBeat = GoldenSimulator.Run(design, program, new InjectedError(0x50, 0x51));

        // Assert
        Assert.Equal(FaultCode.DmaReadError, inBeat.Fault);
        Assert.Equal(FaultCode.None, nextBeat.Fault);
    }
}
