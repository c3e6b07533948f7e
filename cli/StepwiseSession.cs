using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Verif;
using Spectre.Console;

namespace HwGen.Cli;

/// <summary>
/// The co-simulation session of the step-wise runs (decode, big-little decoding, token pruning), which run several
/// programs on one Verilator model: the RTL generated, the model built (cached by RTL hash) under a status line, then the
/// work with a progress that names each program. A missing toolchain or a failed harness build is one line on stderr and
/// exit 3 (<see cref="ExitCodes.ToolError"/>).
/// </summary>
internal static class StepwiseSession
{
    /// <summary>Runs <paramref name="work"/>; Ok is false (and Exit the code to return) when the session could not be built.</summary>
    public static async Task<(bool Ok, T Value, int Exit)> RunAsync<T>(DesignModel design, string configArgument,
        Func<CosimSession, IProgress<string>, Task<T>> work, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(work);
        var dir = Cosimulation.RtlDirectory(design);
        RtlGenerator.Generate(design, dir, CliApp.CommandLine(["generate", configArgument]));
        var session = new CosimSession(design, dir, new HarnessBuildOptions { ExtraFlags = HarnessBuildOptions.EnvironmentExtraFlags() });
        try
        {
            var value = await AnsiConsole.Status().StartAsync("building the Verilator model (cached by RTL hash)…", async ctx =>
            {
                await session.PrepareAsync(false, cancel).ConfigureAwait(false);
                return await work(session, new Progress<string>(name => ctx.Status($"simulating {name}…"))).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return (true, value, ExitCodes.Ok);
        }
        catch (ToolchainException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return (false, default!, ExitCodes.ToolError);
        }
        catch (HarnessBuildException ex)
        {
            Console.Error.WriteLine($"error: building the Verilator model failed: {ex.Message}");
            return (false, default!, ExitCodes.ToolError);
        }
    }
}
