using HwGen.Generator.Isa;
using HwGen.Software.Programs;
using HwGen.Tests.Verif;
using HwGen.Verif;

namespace HwGen.Tests.CommandLine;

/// <summary>
/// Programs at the edges of the memory image, RTL and golden model alike: a program whose last
/// instruction lies past the end of DRAM stops both with fetch_error at that instruction, and a
/// program that never finishes (a token nobody pushes) is reported as a hang by the watchdog. An
/// image larger than the memory model is refused before any work (ArgumentValidationTests). A
/// program address that is not 16-byte aligned, or a program ending past 2^32, faults at START
/// (prog_align, prog_range) with ERR_PC 0 in both.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class ProgramBoundsCosimTests(CosimFixture fixture)
{
    private static CompiledProgram Example(string name, string? image) => AssembledProgram.Load(
        Path.Combine(RepoPaths.Root, "examples", "programs", name),
        image is null ? null : Path.Combine(RepoPaths.Root, "examples", "programs", image));

    [SkippableFact]
    public async Task A_program_running_off_the_end_of_the_image_stops_rtl_and_golden_with_fetch_error_at_the_same_instruction()
    {
        // Arrange: cut DRAM just before the last instruction.
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var whole = Example("gemm4.s", "gemm4.bin");
        var end = whole.ProgramAddress + ((whole.Length - 1) * 16L);
        var cut = whole with { Dram = whole.Dram[..(int)end] };

        // Act
        var report = await session.RunAsync(cut, new CosimOptions { MaxCycles = 1_000_000 });

        // Assert
        var describe = GemmCosimTests.Describe(report);
        Assert.Equal(SimStatus.Error, report.Status);
        Assert.Equal("fetch_error", report.GoldenFault.Name);
        Assert.Equal(whole.Length - 1, report.GoldenFault.Pc);
        Assert.Equal(report.GoldenFault, report.RtlFault);
        Assert.True(report.Match, describe);
        Assert.Contains("outside the", report.GoldenFaultDetail, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("tiny", 8)]
    [InlineData("small", 4)]
    public async Task A_program_at_a_misaligned_address_stops_rtl_and_golden_with_prog_align_at_pc_0(string config, int offset)
    {
        // Arrange: the example's instructions moved up by `offset` bytes, so the program starts off a 16-byte boundary.
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var whole = Example("gemm4.s", "gemm4.bin");
        var bytes = whole.Length * 16;
        Assert.True(whole.ProgramAddress + offset + bytes <= whole.Dram.Length);
        var dram = (byte[])whole.Dram.Clone();
        Array.Copy(whole.Dram, whole.ProgramAddress, dram, whole.ProgramAddress + offset, bytes);
        var moved = whole with { Dram = dram, ProgramAddress = whole.ProgramAddress + offset };

        // Act
        var report = await session.RunAsync(moved, new CosimOptions { MaxCycles = 100_000 });

        // Assert
        var describe = GemmCosimTests.Describe(report);
        Assert.Equal(SimStatus.Error, report.Status);
        Assert.True(report.Irq, describe);
        Assert.Equal(new FaultInfo((int)FaultCode.ProgAlign, "prog_align", 0), report.GoldenFault);
        Assert.Equal(report.GoldenFault, report.RtlFault);
        Assert.True(report.Match, describe);
        Assert.Equal(0UL, report.FetchBytes);
        Assert.Contains("not a multiple of 16", report.GoldenFaultDetail, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("tiny", 2, "prog_range")]
    [InlineData("small", 2, "prog_range")]
    [InlineData("tiny", 1, "fetch_error")]
    [InlineData("small", 1, "fetch_error")]
    public async Task A_program_at_the_top_of_the_address_space_faults_with_prog_range_only_when_it_ends_past_2_to_the_32(string config, int length, string fault)
    {
        // Arrange: instructions from 0xFFFFFFF0: one ends exactly at 2^32 (fetched, DECERR past the memory), two end past it.
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var whole = Example("gemm4.s", "gemm4.bin");
        var top = whole with { ProgramAddress = 0xFFFF_FFF0L, Length = length };

        // Act
        var report = await session.RunAsync(top, new CosimOptions { MaxCycles = 100_000 });

        // Assert
        var describe = GemmCosimTests.Describe(report);
        Assert.Equal(SimStatus.Error, report.Status);
        Assert.Equal(new FaultInfo((int)Enum.Parse<FaultCode>(fault.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true), fault, 0), report.GoldenFault);
        Assert.Equal(report.GoldenFault, report.RtlFault);
        Assert.True(report.Match, describe);
        Assert.Equal(fault == "prog_range", report.FetchBytes == 0);
    }

    [SkippableFact]
    public async Task A_program_that_never_finishes_is_a_hang_named_by_the_watchdog_not_a_timeout()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");

        // Act
        var report = await session.RunAsync(Example("hang_missing_token.s", null), new CosimOptions { MaxCycles = 1_000_000, Watchdog = 500 });

        // Assert
        Assert.Equal(SimStatus.Hang, report.Status);
        Assert.InRange(report.Cycles, 500L, 10_000L);
    }
}
