namespace HwGen.Cli;

/// <summary>Distinct exit codes, documented in the README.</summary>
internal static class ExitCodes
{
    /// <summary>Success (for sim: bit-exact).</summary>
    public const int Ok = 0;

    /// <summary>Co-simulation finished but the RTL output differs from the golden model.</summary>
    public const int Mismatch = 1;

    /// <summary>Bad configuration, workload, input file or command-line argument (reported before any work), or an output that could not be written.</summary>
    public const int BadInput = 2;

    /// <summary>A required tool (Verilator, Yosys) is missing or failed to build.</summary>
    public const int ToolError = 3;

    /// <summary>The program faulted, and the RTL and the golden model agree on the fault (a disagreement is a <see cref="Mismatch"/>).</summary>
    public const int Fault = 4;

    /// <summary>The simulation timed out or the watchdog saw no progress.</summary>
    public const int Hang = 5;

    /// <summary>An internal error: an exception no command expected (a bug); the stack trace is in the log file named on the terminal. 70 is EX_SOFTWARE of sysexits.h.</summary>
    public const int InternalError = 70;

    /// <summary>The exit code of one co-simulation: hang or timeout, then mismatch, then an agreed fault, else success.</summary>
    public static int Of(HwGen.Verif.CosimReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report switch
        {
            { Status: HwGen.Verif.SimStatus.Timeout or HwGen.Verif.SimStatus.Hang } => Hang,
            { Match: false } => Mismatch,
            { GoldenFault.Code: not 0 } => Fault,
            _ => Ok,
        };
    }
}
