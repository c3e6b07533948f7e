namespace HwGen.Cli.Outputs;

/// <summary>Writes a report file after the work is done; a failure (disk full, say) is one line naming what was not written and what was.</summary>
internal static class OutputFiles
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> (creating its folder); false, after printing the error, when it could not.</summary>
    public static async Task<bool> TryWriteAsync(string label, string path, string text, CancellationToken cancel)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, text, cancel).ConfigureAwait(false);
            OutputLog.Add(label, path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {label} {path}: not written ({Validation.PathRules.Reason(ex)}); {OutputLog.Summary()}");
            return false;
        }
    }
}
