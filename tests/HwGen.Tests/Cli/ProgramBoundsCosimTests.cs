using HwGen.Software.Programs;
using HwGen.Tests.Verif;
using HwGen.Verif;

namespace HwGen.Tests.CommandLine;

/// <summary>
/// Programs at the edges of the memory image, RTL and golden model alike: a program whose last
/// instruction lies past the end of DRAM stops both with fetch_error at that instruction, and a
/// program that never finishes (a token nobody pushes) is reported as a hang by the watchdog. An
/// image larger than the memory model is refused before any work (ArgumentValidationTests).
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
