using System.CommandLine;
using HwGen.Explore.Cost;
using HwGen.Generator.Config;
using HwGen.Generator.Design;
using HwGen.Verif;
using HwGen.Verif.Synth;

namespace HwGen.Cli;

/// <summary>
/// The <c>resource-fit</c> command: (re)synthesizes the resource model's fit configurations module by module, refits
/// the model's coefficients and checks them against full synthesis of held-out configurations (docs/explore.md).
/// </summary>
internal static class ResourceFitCommand
{
    public static Command Create()
    {
        var dir = new Option<DirectoryInfo>("--dir") { Description = "The model's data folder (fit/, heldout/, resource-model.json).", DefaultValueFactory = _ => new DirectoryInfo("explore/Cost") };
        var synth = new Option<bool>("--synth") { Description = "Synthesize every fit configuration again (hierarchical synth_xilinx; minutes each), not only those without figures." };
        var check = new Option<bool>("--check") { Description = "Fully synthesize every held-out configuration again (flattened synth_xilinx, like hwgen synth) before comparing." };
        var statDir = new Option<DirectoryInfo?>("--stat-dir") { Description = "Take fit figures from <dir>/<config name>/synth-modules/stat.json (left by an earlier hierarchical run) where present instead of synthesizing." };
        var cmd = new Command("resource-fit", "Refit the FPGA resource model from per-module Yosys runs of explore/Cost/fit/*.yaml and compare it with full synthesis of explore/Cost/heldout/*.yaml.")
        {
            dir, synth, check, statDir,
        };
        cmd.SetAction(async (parse, cancel) =>
        {
            var folder = parse.GetValue(dir)!.FullName;
            if (ResourceFit.FitConfigs(folder).Count == 0)
            {
                Console.Error.WriteLine($"error: --dir {folder}: no fit/*.yaml configurations there");
                return ExitCodes.BadInput;
            }

            try
            {
                foreach (var c in ResourceFit.FitConfigs(folder).Concat(ResourceFit.HeldOutConfigs(folder)))
                {
                    DesignResolver.LoadFile(c); // every configuration is checked before any synthesis starts
                }

                foreach (var c in ResourceFit.FitConfigs(folder).Where(c => parse.GetValue(synth) || !File.Exists(ResourceFit.ModulesPath(c))))
                {
                    var kept = parse.GetValue(statDir) is { } sd ? Path.Combine(sd.FullName, DesignResolver.LoadFile(c).Name, "synth-modules", "stat.json") : null;
                    if (kept is not null && File.Exists(kept))
                    {
                        Console.WriteLine($"figures from {kept}");
                        ResourceFit.Store(c, YosysModules.FromStat(await File.ReadAllTextAsync(kept, cancel).ConfigureAwait(false)));
                        continue;
                    }

                    Console.WriteLine($"yosys (hierarchical): {Path.GetFileName(c)} …");
                    await ResourceFit.SynthesizeModulesAsync(c, cancel).ConfigureAwait(false);
                }

                var model = ResourceFit.FitDirectory(folder);
                var output = Path.Combine(folder, "resource-model.json");
                await File.WriteAllTextAsync(output, model.ToJson(), cancel).ConfigureAwait(false);
                Console.WriteLine($"wrote {output} (fitted on {string.Join(", ", model.FittedOn)}; rebuild to ship it)");
                Console.Write(ResourceFit.Table("fit points (model against the hierarchical synthesis it was fitted to):", ResourceFit.FitErrors(model, folder)));
                foreach (var c in ResourceFit.HeldOutConfigs(folder).Where(c => parse.GetValue(check) || !File.Exists(ResourceFit.SynthPath(c))))
                {
                    Console.WriteLine($"yosys (full, flattened): {Path.GetFileName(c)} …");
                    await ResourceFit.SynthesizeFullAsync(c, cancel).ConfigureAwait(false);
                }

                Console.Write(ResourceFit.Table("held-out configurations (model against full flattened synthesis; not used in the fit):", ResourceFit.HeldOutErrors(model, folder)));
                return ExitCodes.Ok;
            }
            catch (ConfigException ex)
            {
                Console.Error.WriteLine($"error: {(ex.Errors.Count > 0 ? ex.Errors[0] : ex.Message)}");
                return ExitCodes.BadInput;
            }
            catch (ToolchainException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.ToolError;
            }
            catch (Exception ex) when (ex is ToolFailedException or IOException or FormatException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"error: {ex.Message.Split('\n')[0]}");
                return ExitCodes.ToolError;
            }
        });
        return cmd;
    }
}
