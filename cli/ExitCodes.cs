namespace HwGen.Cli;

/// <summary>Distinct exit codes, documented in the README.</summary>
internal static class ExitCodes
{
    /// <summary>Success (for sim: bit-exact).</summary>
    public const int Ok = 0;

    /// <summary>Co-simulation finished but the RTL output differs from the golden model.</summary>
    public const int Mismatch = 1;

    /// <summary>Bad configuration, workload or command-line input.</summary>
    public const int BadInput = 2;

    /// <summary>A required tool (Verilator, Yosys) is missing or failed to build.</summary>
    public const int ToolError = 3;

    /// <summary>The program faulted (in RTL or golden model), or the two disagree on the fault.</summary>
    public const int Fault = 4;

    /// <summary>The simulation timed out or the watchdog saw no progress.</summary>
    public const int Hang = 5;
}
