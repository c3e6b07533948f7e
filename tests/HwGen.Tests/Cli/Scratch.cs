namespace HwGen.Tests.CommandLine;

/// <summary>A temporary folder with copies of the inputs the CLI tests use, and a snapshot of everything in it.</summary>
public sealed class Scratch : IDisposable
{
    /// <summary>Creates the folder with <c>inputs/</c> (tiny.yaml, gemm4.s, gemm4.bin) and an empty <c>work/</c> to run in.</summary>
    public Scratch()
    {
        Directory.CreateDirectory(Inputs);
        Directory.CreateDirectory(Work);
        File.Copy(RepoPaths.Config("tiny"), Config);
        File.Copy(Path.Combine(RepoPaths.Root, "examples", "programs", "gemm4.s"), Program);
        File.Copy(Path.Combine(RepoPaths.Root, "examples", "programs", "gemm4.bin"), Memory);
    }

    /// <summary>The folder.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"hwgen-cli-{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>Input files.</summary>
    public string Inputs => Path.Combine(Root, "inputs");

    /// <summary>The working folder the CLI runs in (where it would put rtl-out/).</summary>
    public string Work => Path.Combine(Root, "work");

    /// <summary>A valid configuration.</summary>
    public string Config => Path.Combine(Inputs, "tiny.yaml");

    /// <summary>A valid program.</summary>
    public string Program => Path.Combine(Inputs, "gemm4.s");

    /// <summary>A valid memory image for <see cref="Program"/>.</summary>
    public string Memory => Path.Combine(Inputs, "gemm4.bin");

    /// <summary>Every file and folder under the root with its size and write time, to prove a run wrote nothing.</summary>
    public IReadOnlyList<string> Snapshot() =>
        Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories)
            .Select(p => File.Exists(p) ? $"{p} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p).Ticks}" : p + "/")
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>Removes the folder.</summary>
    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
