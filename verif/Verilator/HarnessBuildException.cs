namespace HwGen.Verif;

/// <summary>Verilator or the C++ compiler rejected the RTL or the harness. The message carries the tool output.</summary>
public sealed class HarnessBuildException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HarnessBuildException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public HarnessBuildException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public HarnessBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
