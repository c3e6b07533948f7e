namespace HwGen.Cli.Validation;

/// <summary>Creates what a path needs (missing folders, a probe file), writes one byte, and removes everything it created.</summary>
internal static class OutputProbe
{
    /// <summary>Why a file named <paramref name="probeName"/> (default: a hidden unique name) cannot be created in <paramref name="folder"/>, or null; the file system is left as found.</summary>
    public static string? FolderAccepts(string folder, string? probeName = null)
    {
        var created = new List<string>();
        try
        {
            var missing = new Stack<string>();
            for (var d = Path.GetFullPath(folder); !Directory.Exists(d); d = Path.GetDirectoryName(d)!)
            {
                if (File.Exists(d))
                {
                    return d == Path.GetFullPath(folder) ? "is a file, not a folder" : $"{d} is a file, so the folder cannot be created";
                }

                missing.Push(d);
            }

            while (missing.TryPop(out var d))
            {
                Directory.CreateDirectory(d);
                created.Add(d);
            }

            var probe = Path.Combine(folder, probeName ?? $".hwgen-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                stream.WriteByte(0);
                stream.Flush(flushToDisk: false);
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return $"cannot be written ({PathRules.Reason(ex)}); choose a writable path";
        }
        finally
        {
            for (var i = created.Count - 1; i >= 0; i--)
            {
                try
                {
                    Directory.Delete(created[i]);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Left behind only if something else wrote into it meanwhile.
                }
            }
        }
    }
}
