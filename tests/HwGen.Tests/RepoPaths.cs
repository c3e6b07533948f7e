namespace HwGen.Tests;

/// <summary>Locates the repository from the test binary (walks up to HwGen.sln).</summary>
public static class RepoPaths
{
    /// <summary>The repository root.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Path of a shipped configuration, e.g. <c>Config("tiny")</c>.</summary>
    public static string Config(string name) => Path.Combine(Root, "configs", name + ".yaml");

    /// <summary>Names of every shipped configuration.</summary>
    public static IEnumerable<string> ConfigNames() =>
        Directory.GetFiles(Path.Combine(Root, "configs"), "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HwGen.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find HwGen.sln above " + AppContext.BaseDirectory);
    }
}
