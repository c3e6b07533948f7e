using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Software.Programs;
using HwGen.Software.References;
using HwGen.Verif;
using Spectre.Console;

namespace HwGen.Cli;

/// <summary>
/// One co-simulation as the commands run it (<c>sim</c>, <c>run</c>): render the design's RTL into rtl-out/NAME, build
/// (or reuse, by RTL hash) the Verilator model with a status line, then run the program against the golden model.
/// </summary>
internal static class Cosimulation
{
    /// <summary>Renders, builds and runs; <paramref name="configArgument"/> is the configuration path as typed (for the RTL banner).</summary>
    /// <exception cref="ToolchainException">Verilator or the C++ compiler is missing.</exception>
    /// <exception cref="HarnessBuildException">The Verilator model did not build.</exception>
    public static async Task<CosimReport> RunAsync(DesignModel design, string configArgument, CompiledProgram compiled, CosimOptions options, IReadOnlyList<ReferenceTensor>? reference, bool trace, CancellationToken cancel)
    {
        var dir = RtlDirectory(design);
        // The banner names the generate command, not this command line: the harness cache is keyed by the RTL text,
        // and a banner per command line would rebuild per workload.
        RtlGenerator.Generate(design, dir, CliApp.CommandLine(["generate", configArgument]));
        return await AnsiConsole.Status().StartAsync("preparing", async ctx =>
        {
            var steps = 0;
            var interactive = AnsiConsole.Profile.Capabilities.Interactive;
            var progress = new Progress<string>(m =>
            {
                // Verilator/g++ print one line per compile step; show a count, not the lines.
                steps++;
                if (interactive)
                {
                    ctx.Status($"building the Verilator model (cached by RTL hash)… {steps} build steps");
                }
            });
            var session = new CosimSession(design, dir, new HarnessBuildOptions { ExtraFlags = HarnessBuildOptions.EnvironmentExtraFlags() }, progress);
            ctx.Status("building the Verilator model (cached by RTL hash)…");
            await session.PrepareAsync(trace, cancel).ConfigureAwait(false);
            ctx.Status($"simulating {compiled.Workload} ({compiled.Length} instructions)…");
            return reference is null
                ? await session.RunAsync(compiled, options, cancel).ConfigureAwait(false)
                : await session.RunAsync(compiled, options, reference, cancel).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Where the design's RTL is rendered for co-simulation.</summary>
    public static string RtlDirectory(DesignModel design) => Path.Combine("rtl-out", design.Name);
}
