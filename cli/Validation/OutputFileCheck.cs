namespace HwGen.Cli.Validation;

/// <summary>
/// An output file: a regular path (not a folder, not a device), with the expected extension, whose
/// folder accepts a new file; an existing file must open for writing (it is not modified here).
/// </summary>
internal sealed class OutputFileCheck(string description, string? extension) : ArgumentCheck
{
    public override string? Problem(string value)
    {
        if (PathRules.Shape(value) is { } shape)
        {
            return shape;
        }

        if (extension is not null && !value.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
        {
            return $"the {description} needs a file name ending in {extension}";
        }

        if (Directory.Exists(value))
        {
            return $"is a folder; give a file name for the {description}";
        }

        if (PathRules.Special(value) is { } special)
        {
            return special;
        }

        if (File.Exists(value))
        {
            try
            {
                using (new FileStream(value, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
                {
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return $"exists and cannot be overwritten ({PathRules.Reason(ex)})";
            }
        }

        var full = Path.GetFullPath(value);
        if (File.Exists(Path.GetDirectoryName(full)))
        {
            return $"{Path.GetDirectoryName(full)} is a file, so no file can be created inside it";
        }

        return OutputProbe.FolderAccepts(Path.GetDirectoryName(full)!, File.Exists(full) ? null : Path.GetFileName(full));
    }
}
