namespace HwGen.Generator.Isa;

/// <summary>An error in assembly text; the message names the line and what is wrong.</summary>
public sealed class AssemblyException : Exception
{
    /// <summary>Creates an error for a 1-based line.</summary>
    public AssemblyException(int line, string problem)
        : base($"line {line}: {problem}")
    {
        Line = line;
        Problem = problem;
    }

    /// <summary>Creates an error without a line.</summary>
    public AssemblyException()
        : this(0, "assembly error")
    {
    }

    /// <summary>Creates an error without a line.</summary>
    public AssemblyException(string message)
        : this(0, message)
    {
    }

    /// <summary>Creates an error wrapping another.</summary>
    public AssemblyException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = message;
    }

    /// <summary>1-based line number (0 when unknown).</summary>
    public int Line { get; }

    /// <summary>What is wrong, without the line prefix.</summary>
    public string Problem { get; } = string.Empty;
}
