namespace HwGen.Cli.Validation;

/// <summary>One kind of command-line value (an input file of some format, an output path, a number in a range) and how it is checked before any work starts.</summary>
internal abstract class ArgumentCheck
{
    /// <summary>Why <paramref name="value"/> is unusable, or null when it is fine. Leaves the file system as it found it.</summary>
    public abstract string? Problem(string value);
}
