using System.Globalization;

namespace HwGen.Cli.Validation;

/// <summary>An input file: it exists, is a regular readable file, within the format's size limit, and its bytes pass the format's check.</summary>
internal sealed class InputFileCheck(InputFormat format) : ArgumentCheck
{
    public InputFormat Format { get; } = format;

    public override string? Problem(string value)
    {
        if (PathRules.Shape(value) is { } shape)
        {
            return shape;
        }

        if (Directory.Exists(value))
        {
            return $"is a folder; give the {Format.Description} file";
        }

        if (!File.Exists(value))
        {
            return Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(value)))
                ? $"no such file (the {Format.Description} to read)"
                : $"no such file: its folder does not exist (the {Format.Description} to read)";
        }

        if (PathRules.Special(value) is { } special)
        {
            return special;
        }

        try
        {
            using var stream = new FileStream(value, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > Format.MaxBytes)
            {
                return string.Create(CultureInfo.InvariantCulture, $"is {stream.Length:#,0} bytes; a {Format.Description} may be at most {Format.MaxBytes:#,0} bytes");
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return Format.Format(bytes) is { } bad ? $"not a valid {Format.Description}: {bad}" : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read ({PathRules.Reason(ex)})";
        }
    }
}
