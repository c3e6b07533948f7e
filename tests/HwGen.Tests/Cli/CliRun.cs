using System.Text.RegularExpressions;

namespace HwGen.Tests.CommandLine;

/// <summary>What one run of the CLI printed and returned.</summary>
/// <param name="ExitCode">The process exit code (or <c>CliApp.Run</c>'s return value).</param>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed partial record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>Every exit code the README documents.</summary>
    public static IReadOnlySet<int> DocumentedExitCodes { get; } = new HashSet<int> { 0, 1, 2, 3, 4, 5, 70 };

    /// <summary>True when either stream shows a .NET stack frame or an unhandled-exception banner.</summary>
    public bool ShowsStackTrace => StackFrame().IsMatch(Out + "\n" + Error) || (Out + Error).Contains("Unhandled exception", StringComparison.Ordinal);

    /// <summary>Non-empty lines of standard error.</summary>
    public IReadOnlyList<string> ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Everything, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";

    [GeneratedRegex(@"^\s+at \S.*\)( in .*)?$", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
