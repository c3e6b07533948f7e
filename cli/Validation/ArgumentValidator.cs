using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;

namespace HwGen.Cli.Validation;

/// <summary>
/// The one validation step every command passes before it does any work: each argument is checked
/// by its declared kind (<see cref="CommandArguments"/>), in command-line order, and the first
/// problem becomes one line naming the argument and the reason.
/// </summary>
internal static class ArgumentValidator
{
    /// <summary>The error line for the first bad argument, or null when every argument is usable.</summary>
    public static string? FirstProblem(ParseResult parse)
    {
        if (parse.Action is HelpAction)
        {
            return null;
        }

        var command = parse.CommandResult.Command;
        if (!CommandArguments.Checks.TryGetValue(command.Name, out var checks))
        {
            return null;
        }

        foreach (var argument in command.Arguments)
        {
            if (checks.TryGetValue(argument.Name, out var check) && parse.GetResult(argument) is { } result && result.Tokens.Count > 0
                && check.Problem(result.Tokens[0].Value) is { } problem)
            {
                return Line(argument.Name, result.Tokens[0].Value, problem);
            }
        }

        foreach (var option in command.Options)
        {
            if (checks.TryGetValue(option.Name, out var check) && Value(parse, option) is { } value && check.Problem(value) is { } problem)
            {
                return Line(option.Name, value, problem);
            }
        }

        if (CommandArguments.ImplicitOutputs.TryGetValue(command.Name, out var implicitOutput)
            && (implicitOutput.UnlessGiven is null || Value(parse, command.Options.First(o => o.Name == implicitOutput.UnlessGiven)) is null)
            && new OutputFolderCheck().Problem(implicitOutput.Folder) is { } folderProblem)
        {
            return Line($"the output folder", Path.GetFullPath(implicitOutput.Folder), folderProblem);
        }

        return null;
    }

    /// <summary>The value as typed, or the default when the option was left out and has one; null when absent.</summary>
    private static string? Value(ParseResult parse, Option option)
    {
        var result = parse.GetResult(option);
        if (result is { Implicit: false, Tokens.Count: > 0 })
        {
            return result.Tokens[^1].Value;
        }

        if (!option.HasDefaultValue)
        {
            return null;
        }

        var value = option.GetDefaultValue();
        return value is bool ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
    }

    private static string Line(string argument, string value, string problem) =>
        $"error: {argument} {Printable(value)}: {problem}";

    /// <summary>The value shortened and stripped of control characters, so the message stays one line.</summary>
    private static string Printable(string value)
    {
        var clean = new string(value.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return clean.Length <= 120 ? clean : string.Concat(clean.AsSpan(0, 60), "…", clean.AsSpan(clean.Length - 40));
    }
}
