using HwGen.Software.Programs;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

/// <summary>
/// Every hardware fault, from the hand-written programs in examples/programs: the RTL stops with
/// ERR_CODE and ERR_PC set and raises irq, and the golden model reports the same fault at the same
/// instruction. Run on tiny (32-bit AXI) and small (64-bit AXI, 2x2 tiles).
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class FaultCosimTests(CosimFixture fixture)
{
    public static TheoryData<string, string, string, int, string?> Faults()
    {
        var data = new TheoryData<string, string, string, int, string?>();
        foreach (var config in new[] { "tiny", "small" })
        {
            data.Add(config, "fault_illegal_opcode.s", "illegal_opcode", 1, null);
            data.Add(config, "fault_sp_range.s", "sp_range", 1, null);
            data.Add(config, "fault_acc_range.s", "acc_range", 1, null);
            data.Add(config, "fault_dram_range.s", "dma_read_error", 1, null);
            data.Add(config, "fault_dram_write_range.s", "dma_write_error", 1, null);
            data.Add(config, "gemm4.s", "dma_read_error", 1, "0x40:0x41:r");
            data.Add(config, "gemm4.s", "dma_write_error", 4, "0x100:0x101:w");
            data.Add(config, "gemm4.s", "fetch_error", 2, "0x1020:0x1030:r");
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Faults))]
    public async Task A_faulting_program_stops_the_RTL_with_the_golden_models_fault_code_and_pc_and_raises_irq(
        string config, string programFile, string fault, int pc, string? slaveError)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = Load(programFile);
        var options = new CosimOptions { MaxCycles = 1_000_000 };
        if (slaveError is not null)
        {
            var parts = slaveError.Split(':');
            options = options with
            {
                SlaveErrorRange = (Convert.ToInt64(parts[0], 16), Convert.ToInt64(parts[1], 16)),
                SlaveErrorDirection = parts[2] == "r" ? SlaveErrorDirection.Reads : SlaveErrorDirection.Writes,
            };
        }

        // Act
        var report = await session.RunAsync(program, options);

        // Assert
        var describe = GemmCosimTests.Describe(report);
        Assert.Equal(SimStatus.Error, report.Status);
        Assert.True(report.Irq, describe);
        Assert.Equal(fault, report.GoldenFault.Name);
        Assert.Equal(pc, report.GoldenFault.Pc);
        Assert.Equal(report.GoldenFault, report.RtlFault);
        Assert.True(report.Match, describe);
        Assert.Empty(report.Problems);
        Assert.NotEmpty(report.GoldenFaultDetail);
    }

    [SkippableTheory]
    [InlineData("tiny")]
    [InlineData("small")]
    public async Task The_hand_written_gemm_example_completes_bit_exact_with_irq(string config)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = Load("gemm4.s");

        // Act
        var report = await session.RunAsync(program);

        // Assert
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.True(report.Irq);
        Assert.Equal(0, report.GoldenFault.Code);
        Assert.Equal(4UL * 4 * (ulong)session.Design.Cols, report.Counters["macs"]);
        Assert.Equal(16UL, report.DmaWriteBytes);
    }

    [SkippableFact]
    public async Task A_dma_fault_of_an_earlier_instruction_wins_over_a_later_dispatch_fault()
    {
        // Arrange: the store at 2 fails slowly (SLVERR after the write latency) while fetch already
        // rejects the illegal opcode at 3; the golden model stops at 2, so must the RTL.
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var words = AssembledProgram.Words("""
            config_store multiplier=1 shift=0
            load target=acc rows=1 cols=4 local_addr=0 dram_addr=0x0 dram_stride=16
            store rows=8 cols=4 local_addr=0 dram_addr=0x100 dram_stride=4
            .word 0xEE
            """);
        var program = AssembledProgram.Create("late-dma-fault", words, new byte[4096]);

        // Act
        var report = await session.RunAsync(program, new CosimOptions { WriteLatency = 40, SlaveErrorRange = (0x11C, 0x11D), SlaveErrorDirection = SlaveErrorDirection.Writes });

        // Assert
        Assert.Equal("dma_write_error", report.GoldenFault.Name);
        Assert.Equal(2, report.GoldenFault.Pc);
        Assert.Equal(report.GoldenFault, report.RtlFault);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.True(report.Irq);
    }

    internal static CompiledProgram Load(string file)
    {
        var dir = Path.Combine(RepoPaths.Root, "examples", "programs");
        var image = Path.ChangeExtension(Path.Combine(dir, file), ".bin");
        return AssembledProgram.Load(Path.Combine(dir, file), File.Exists(image) ? image : null);
    }
}
