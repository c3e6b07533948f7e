using System.Globalization;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;

namespace HwGen.Verif;

/// <summary>Finds the external tools co-simulation needs: Verilator (with its version), make and a C++ compiler.</summary>
public static partial class Toolchain
{
    /// <summary>The oldest Verilator release the harness is tested with.</summary>
    public const int MinimumMajorVersion = 5;

    private const string InstallHint = "Install it with `sudo apt-get install verilator` (Debian/Ubuntu; it brings make and g++), " +
        "or put a Verilator 5 build on PATH, or set HWGEN_VERILATOR to its path.";

    private static readonly Lazy<Task<VerilatorInfo?>> Cached = new(() => ProbeAsync(CancellationToken.None));

    /// <summary>True when a usable Verilator is on PATH (or named by HWGEN_VERILATOR).</summary>
    public static bool IsVerilatorAvailable() => Cached.Value.GetAwaiter().GetResult() is not null;

    /// <summary>Finds Verilator; throws <see cref="ToolchainException"/> saying what to install when it is missing or too old.</summary>
    public static async Task<VerilatorInfo> FindVerilatorAsync(CancellationToken cancellationToken = default)
    {
        var info = await Cached.Value.WaitAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ToolchainException("Verilator was not found on PATH. " + InstallHint);
        var major = int.Parse(info.VersionNumber.Split('.')[0], CultureInfo.InvariantCulture);
        if (major < MinimumMajorVersion)
        {
            throw new ToolchainException(
                $"{info.Path} is {info.Version}; HwGen needs Verilator {MinimumMajorVersion}.x or newer. " + InstallHint);
        }

        foreach (var tool in new[] { "make", "g++" })
        {
            if (FindOnPath(tool) is null)
            {
                throw new ToolchainException(
                    $"Verilator builds the harness with `{tool}`, which was not found on PATH. Install it with `sudo apt-get install make g++`.");
            }
        }

        return info;
    }

    /// <summary>Finds an executable on PATH; null when absent.</summary>
    public static string? FindOnPath(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static async Task<VerilatorInfo?> ProbeAsync(CancellationToken cancellationToken)
    {
        var exe = Environment.GetEnvironmentVariable("HWGEN_VERILATOR");
        if (string.IsNullOrWhiteSpace(exe) || !File.Exists(exe))
        {
            exe = FindOnPath("verilator");
        }

        if (exe is null)
        {
            return null;
        }

        try
        {
            var result = await Cli.Wrap(exe).WithArguments("--version")
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(cancellationToken).ConfigureAwait(false);
            var line = result.StandardOutput.Trim();
            var match = VersionPattern().Match(line);
            return result.ExitCode == 0 && match.Success
                ? new VerilatorInfo(System.IO.Path.GetFullPath(exe), line, match.Groups[1].Value)
                : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^Verilator\s+(\d+\.\d+)")]
    private static partial Regex VersionPattern();
}
