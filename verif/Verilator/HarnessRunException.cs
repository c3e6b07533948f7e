namespace HwGen.Verif;

/// <summary>The harness binary rejected its arguments or crashed. The message carries its output.</summary>
public sealed class HarnessRunException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HarnessRunException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public HarnessRunException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public HarnessRunException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
