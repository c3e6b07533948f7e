using System.CommandLine;
using HwGen.Cli.Validation;
using HwGen.Generator.Config;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using Spectre.Console;

namespace HwGen.Cli;

/// <summary>Command-line parsing; every command delegates to the libraries.</summary>
internal static class CliApp
{
    public static int Run(string[] args) => TopLevelGuard.Run(args, () => RunUnguarded(args));

    private static int RunUnguarded(string[] args)
    {
        var root = new RootCommand("HwGen: generate, co-simulate and measure systolic-array Transformer accelerators.");
        root.Subcommands.Add(GenerateCommand(args));
        root.Subcommands.Add(SimCommand.Create(args));
        root.Subcommands.Add(SynthCommand.Create(args));
        root.Subcommands.Add(FuzzCommand.Create());
        root.Subcommands.Add(FuzzTaskCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(PruneCommand.Create());
        root.Subcommands.Add(ExploreCommand.Create());
        root.Subcommands.Add(ResourceFitCommand.Create());
        root.Subcommands.Add(PerfBenchCommand.Bench());
        root.Subcommands.Add(PerfBenchCommand.Check());
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
            // One line, like every other input error: the first problem, then where to look.
            var first = parsed.Errors[0];
            var where = first.SymbolResult switch
            {
                System.CommandLine.Parsing.OptionResult o => o.Option.Name + ": ",
                System.CommandLine.Parsing.ArgumentResult { Parent: System.CommandLine.Parsing.OptionResult o } => o.Option.Name + ": ",
                System.CommandLine.Parsing.ArgumentResult a => a.Argument.Name + ": ",
                _ => string.Empty,
            };
            Console.Error.WriteLine($"error: {where}{first.Message.ReplaceLineEndings(" ")} (run with --help for usage)");
            return ExitCodes.BadInput;
        }

        // One validation step for every command, before any work: the first bad argument is one line and exit 2.
        if (ArgumentValidator.FirstProblem(parsed) is { } problem)
        {
            Console.Error.WriteLine(problem);
            return ExitCodes.BadInput;
        }

        // Exceptions reach TopLevelGuard rather than System.CommandLine's handler, which prints the stack trace.
        return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
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

    /// <summary>
    /// The command as typed, for generated-file banners, with absolute paths made relative to the
    /// working folder (or cut to their file name outside it): the same configuration generated from
    /// two checkouts in different folders gives byte-identical files.
    /// </summary>
    public static string CommandLine(string[] args) => "hwgen " + string.Join(' ', args.Select(Portable));

    private static string Portable(string arg)
    {
        var eq = arg.StartsWith('-') ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
        if (eq >= 0)
        {
            return arg[..(eq + 1)] + Portable(arg[(eq + 1)..]);
        }

        if (!Path.IsPathFullyQualified(arg))
        {
            return arg;
        }

        var relative = Path.GetRelativePath(Environment.CurrentDirectory, arg);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathFullyQualified(relative) ? "…/" + Path.GetFileName(arg) : relative;
    }
}
