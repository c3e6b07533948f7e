extern alias hwgencli;

using CliWrap;
using CliWrap.Buffered;
using hwgencli::HwGen.Cli;
using hwgencli::HwGen.Cli.Outputs;
using Spectre.Console;

namespace HwGen.Tests.CommandLine;

/// <summary>Runs the CLI in this process (fast; only from <see cref="CliGroup"/> tests) or as a <c>dotnet hwgen.dll</c> process.</summary>
public static class CliRunner
{
    private static readonly Lock Gate = new();

    /// <summary>The built CLI next to the test assembly (the test project references it).</summary>
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "hwgen.dll");

    /// <summary>Runs <c>CliApp.Run</c> with the console captured and <paramref name="workingDirectory"/> as the current folder.</summary>
    public static CliRun InProcess(IReadOnlyList<string> args, string workingDirectory)
    {
        lock (Gate)
        {
            var (oldOut, oldError, oldAnsi, oldDir) = (Console.Out, Console.Error, AnsiConsole.Console, Environment.CurrentDirectory);
            using var output = new StringWriter();
            using var error = new StringWriter();
            try
            {
                Console.SetOut(output);
                Console.SetError(error);
                AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Ansi = AnsiSupport.No,
                    ColorSystem = ColorSystemSupport.NoColors,
                    Interactive = InteractionSupport.No,
                    Out = new AnsiConsoleOutput(output),
                });
                Environment.CurrentDirectory = workingDirectory;
                OutputLog.Clear();
                var code = CliApp.Run([.. args]);
                return new CliRun(code, output.ToString(), error.ToString());
            }
            finally
            {
                Environment.CurrentDirectory = oldDir;
                AnsiConsole.Console = oldAnsi;
                Console.SetOut(oldOut);
                Console.SetError(oldError);
            }
        }
    }

    /// <summary>Runs <c>dotnet hwgen.dll</c> as a child process.</summary>
    public static async Task<CliRun> ProcessAsync(IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var command = CliWrap.Cli.Wrap("dotnet").WithArguments([Dll, .. args]).WithWorkingDirectory(workingDirectory)
            .WithValidation(CommandResultValidation.None);
        if (environment is not null)
        {
            command = command.WithEnvironmentVariables(environment);
        }

        var run = await command.ExecuteBufferedAsync().ConfigureAwait(false);
        return new CliRun(run.ExitCode, run.StandardOutput, run.StandardError);
    }
}
