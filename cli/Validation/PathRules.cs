namespace HwGen.Cli.Validation;

/// <summary>Checks shared by input and output paths: length, and the kernel's pseudo file systems.</summary>
internal static class PathRules
{
    /// <summary>Linux's PATH_MAX and NAME_MAX.</summary>
    private const int MaxPath = 4096;

    private const int MaxName = 255;

    /// <summary>Folders whose entries are devices or kernel state, never a report or an input file.</summary>
    private static readonly string[] SpecialRoots = ["/proc", "/sys", "/dev"];

    /// <summary>Why <paramref name="path"/> cannot name a file at all, or null.</summary>
    public static string? Shape(string path)
    {
        if (path.Length == 0)
        {
            return "is empty; give a path";
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return "contains a NUL character";
        }

        var full = Path.GetFullPath(path);
        if (full.Length >= MaxPath)
        {
            return $"is too long ({full.Length} characters; the limit is {MaxPath - 1})";
        }

        if (full.Split(Path.DirectorySeparatorChar).FirstOrDefault(p => System.Text.Encoding.UTF8.GetByteCount(p) > MaxName) is { } longName)
        {
            return $"has a name of {System.Text.Encoding.UTF8.GetByteCount(longName)} bytes (the limit is {MaxName})";
        }

        return null;
    }

    /// <summary>Why <paramref name="path"/> is a device or kernel entry (after following links), or null.</summary>
    public static string? Special(string path)
    {
        var full = Resolve(Path.GetFullPath(path));
        foreach (var root in SpecialRoots)
        {
            if (full == root || full.StartsWith(root + "/", StringComparison.Ordinal))
            {
                return $"is under {root}, a device or kernel file system, not a place for files; choose a regular path";
            }
        }

        return null;
    }

    /// <summary>Follows symbolic links of the path and each of its ancestors.</summary>
    private static string Resolve(string full)
    {
        if (Path.GetDirectoryName(full) is not { } parent)
        {
            return full;
        }

        var candidate = Path.Combine(Resolve(parent), Path.GetFileName(full));
        try
        {
            FileSystemInfo info = Directory.Exists(candidate) ? new DirectoryInfo(candidate) : new FileInfo(candidate);
            return info.LinkTarget is null ? candidate : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return candidate;
        }
    }

    /// <summary>A short reason from an I/O exception, without the path it repeats.</summary>
    public static string Reason(Exception ex) => ex switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "a folder on the path does not exist",
        PathTooLongException => "the path is too long",
        _ => ex.Message.Contains('\'', StringComparison.Ordinal) ? ex.Message[..ex.Message.IndexOf('\'', StringComparison.Ordinal)].TrimEnd(' ', ':') : ex.Message,
    };
}
