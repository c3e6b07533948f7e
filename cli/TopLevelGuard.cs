using System.Globalization;
using System.Text;

namespace HwGen.Cli;

/// <summary>
/// The last line of defence. A file-system error after the checks passed (disk full) is one line
/// naming what failed and what was finished, exit 2. Any other exception no command expected becomes "internal error", a short
/// message, the command line that reproduces it and exit code 70; the stack trace goes to a log
/// file whose path is printed, never to the terminal.
/// </summary>
internal static class TopLevelGuard
{
    /// <summary>Folder for crash logs: HWGEN_LOG_DIR when set, else the temporary folder.</summary>
    public static string LogFolder => Environment.GetEnvironmentVariable("HWGEN_LOG_DIR") is { Length: > 0 } dir ? dir : Path.GetTempPath();

    /// <summary>Runs <paramref name="body"/>; any exception it throws is reported as an internal error.</summary>
    public static int Run(string[] args, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The file system failed after validation passed (disk full, a folder removed meanwhile): expected, so no stack trace.
            Console.Error.WriteLine($"error: an output could not be written ({ex.Message.ReplaceLineEndings(" ")}); {Outputs.OutputLog.Summary()}");
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Report(args, ex);
        }
        catch (OutOfMemoryException)
        {
            Console.Error.WriteLine("internal error: out of memory");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>Prints the three-line report and writes the log; returns <see cref="ExitCodes.InternalError"/>.</summary>
    public static int Report(string[] args, Exception ex)
    {
        var root = ex is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : ex;
        var message = root.Message.ReplaceLineEndings(" ");
        if (message.Length > 200)
        {
            message = message[..200] + "…";
        }

        var command = Reproduce(args);
        var log = WriteLog(command, ex);
        var error = Console.Error;
        error.WriteLine($"internal error: {root.GetType().Name}: {message}");
        error.WriteLine($"  reproduce with: {command}");
        error.WriteLine(log is null
            ? "  (the details could not be saved to a log file; rerun to see whether it repeats)"
            : $"  details (stack trace): {log}; please attach it to a bug report");
        return ExitCodes.InternalError;
    }

    /// <summary>The command line, quoted for a POSIX shell.</summary>
    public static string Reproduce(string[] args) => "./hwgen " + string.Join(' ', args.Select(Quote));

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,+@%".Contains(c, StringComparison.Ordinal))
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string? WriteLog(string command, Exception ex)
    {
        try
        {
            var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            var path = Path.Combine(LogFolder, $"hwgen-internal-error-{stamp}-{Environment.ProcessId}.log");
            var text = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture, $"hwgen internal error at {DateTime.UtcNow:O}")
                .AppendLine(CultureInfo.InvariantCulture, $"command: {command}")
                .AppendLine(CultureInfo.InvariantCulture, $"working folder: {Environment.CurrentDirectory}")
                .AppendLine(CultureInfo.InvariantCulture, $"runtime: {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}")
                .AppendLine()
                .AppendLine(ex.ToString())
                .ToString();
            File.WriteAllText(path, text);
            return path;
        }
        catch (Exception logError) when (logError is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
