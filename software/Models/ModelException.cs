namespace HwGen.Models;

/// <summary>
/// A model file or a model input that HwGen cannot use: missing, malformed, unsafe, or a graph outside the supported
/// encoder family. The message is meant for the user (one line: what, where, what to do); the CLI exits with 2.
/// </summary>
public sealed class ModelException : Exception
{
    /// <summary>Creates the exception with a user-facing message.</summary>
    public ModelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a user-facing message and the low-level cause.</summary>
    public ModelException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception with no message (required by the analyzers; prefer the other constructors).</summary>
    public ModelException()
    {
    }
}
