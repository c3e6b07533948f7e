using CliWrap;
using CliWrap.Buffered;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

/// <summary>Builds and runs the C++ unit tests of the harness's AXI memory model (verif/harness/test_axi_mem.cpp).</summary>
public sealed class AxiMemoryModelTests
{
    [SkippableFact]
    public async Task The_AXI_memory_model_passes_its_unit_checks()
    {
        // Arrange
        RequiresVerilator.Check();
        var compiler = Toolchain.FindOnPath("g++");
        Assert.NotNull(compiler);
        var harness = Path.Combine(RepoPaths.Root, "verif", "harness");
        var exe = Path.Combine(Path.GetTempPath(), $"hwgen-test-axi-mem-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var build = await Cli.Wrap(compiler).WithArguments(["-std=c++17", "-O1", "-Wall", "-Wextra", "-Werror", "-I" + harness,
                    Path.Combine(harness, "test_axi_mem.cpp"), "-o", exe])
                .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
            Assert.True(build.ExitCode == 0, build.StandardError);

            // Act
            var run = await Cli.Wrap(exe).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

            // Assert
            Assert.True(run.ExitCode == 0, run.StandardOutput);
            Assert.StartsWith("ok ", run.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(exe);
        }
    }
}
