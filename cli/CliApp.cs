using System.CommandLine;
using HwGen.Generator.Config;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using Spectre.Console;

namespace HwGen.Cli;

/// <summary>Command-line parsing; every command delegates to the libraries.</summary>
internal static class CliApp
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("HwGen: generate, co-simulate and measure systolic-array Transformer accelerators.");
        root.Subcommands.Add(GenerateCommand(args));
        root.Subcommands.Add(SimCommand.Create(args));
        root.Subcommands.Add(SynthCommand.Create(args));
        root.Subcommands.Add(FuzzCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        var isaDoc = new Command("isa-doc", "Print docs/isa.md (the ISA reference) generated from the single ISA definition.");
        isaDoc.SetAction(_ =>
        {
            Console.Out.Write(HwGen.Generator.Isa.IsaRenderer.Markdown());
            return ExitCodes.Ok;
        });
        root.Subcommands.Add(isaDoc);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            Console.Error.WriteLine("Run with --help for usage.");
            return ExitCodes.BadInput;
        }

        return parsed.Invoke();
    }

    private static Command GenerateCommand(string[] args)
    {
        var config = new Argument<FileInfo>("config") { Description = "Configuration YAML (e.g. configs/default.yaml)." };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Output folder (default: rtl-out/<name>)." };
        var cmd = new Command("generate", "Render the Verilog, filelist, C header and resolved config for a configuration.") { config, output };
        cmd.SetAction(parse =>
        {
            var design = LoadDesign(parse.GetValue(config)!);
            if (design is null)
            {
                return ExitCodes.BadInput;
            }

            var dir = parse.GetValue(output)?.FullName ?? Path.Combine("rtl-out", design.Name);
            var files = RtlGenerator.Generate(design, dir, CommandLine(args));
            AnsiConsole.MarkupLineInterpolated($"[green]generated[/] {files.Count} files for [bold]{design.Name}[/] ({design.Rows}x{design.Cols}) in {dir}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Loads a configuration, printing every error (no stack trace) and returning null when it is invalid.</summary>
    public static DesignModel? LoadDesign(FileInfo file)
    {
        try
        {
            return DesignResolver.LoadFile(file.FullName);
        }
        catch (ConfigException ex)
        {
            Console.Error.WriteLine($"error: {file.FullName}: invalid configuration");
            foreach (var e in ex.Errors)
            {
                Console.Error.WriteLine($"  {e}");
            }

            Console.Error.WriteLine("Nothing was written. Fix the keys above; see README.md, 'Configuration reference'.");
            return null;
        }
    }

    /// <summary>The command as typed, for generated-file banners (no paths beyond what the user typed).</summary>
    public static string CommandLine(string[] args) => "hwgen " + string.Join(' ', args);
}
