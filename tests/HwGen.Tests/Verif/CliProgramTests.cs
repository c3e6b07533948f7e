using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;

namespace HwGen.Tests.Verif;

/// <summary>
/// <c>./hwgen sim --program</c> end to end, through the built command-line tool: the exit code
/// says pass (0), fault (4) or hang (5), and the JSON report names the fault and the interrupt.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class CliProgramTests : IDisposable
{
    private readonly string scratch = Path.Combine(Path.GetTempPath(), $"hwgen-cli-test-{Environment.ProcessId}-{Guid.NewGuid():N}");

    [SkippableTheory]
    [InlineData("gemm4.s", "", 0, "done", "none")]
    [InlineData("fault_illegal_opcode.s", "", 4, "error", "illegal_opcode")]
    [InlineData("gemm4.s", "0x100:0x101:w", 4, "error", "dma_write_error")]
    [InlineData("hang_missing_token.s", "", 5, "hang", "none")]
    public async Task The_sim_command_runs_a_hand_written_program_and_exits_with_the_outcomes_code(
        string program, string slaveError, int exitCode, string status, string fault)
    {
        // Arrange
        RequiresVerilator.Check();
        var dll = Path.Combine(RepoPaths.Root, "cli", "bin", "Release", "net10.0", "hwgen.dll");
        Skip.If(!File.Exists(dll) && !RequiresVerilator.InCi, "the Release CLI is not built (./build.sh)");
        Directory.CreateDirectory(scratch);
        var json = Path.Combine(scratch, "report.json");
        var dir = Path.Combine(RepoPaths.Root, "examples", "programs");
        var args = new List<string> { dll, "sim", "configs/tiny.yaml", "--program", Path.Combine(dir, program), "--json", json };
        if (program == "gemm4.s")
        {
            args.AddRange(["--memory", Path.Combine(dir, "gemm4.bin")]);
        }

        if (slaveError.Length > 0)
        {
            args.AddRange(["--slverr", slaveError]);
        }

        // Act
        var run = await Cli.Wrap("dotnet").WithArguments(args).WithWorkingDirectory(RepoPaths.Root)
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

        // Assert
        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}");
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(status, report.RootElement.GetProperty("status").GetString());
        Assert.Equal(fault, report.RootElement.GetProperty("golden_fault").GetProperty("name").GetString());
        Assert.Equal(status != "hang", report.RootElement.GetProperty("irq").GetBoolean());
        if (status == "hang")
        {
            Assert.Contains("exec unit waits for a dependency token", report.RootElement.GetProperty("stalled").GetString(), StringComparison.Ordinal);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
