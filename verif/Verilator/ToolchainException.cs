namespace HwGen.Verif;

/// <summary>
/// A tool the co-simulation needs (Verilator, make, a C++ compiler) is missing or unusable.
/// The message says what to install; callers print it without a stack trace.
/// </summary>
public sealed class ToolchainException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ToolchainException()
    {
    }

    /// <summary>Creates the exception with a user-facing message.</summary>
    public ToolchainException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a user-facing message and a cause.</summary>
    public ToolchainException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
