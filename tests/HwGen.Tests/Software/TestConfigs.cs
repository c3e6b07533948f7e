using HwGen.Generator.Design;

namespace HwGen.Tests.Software;

/// <summary>Loads the configurations in configs/ (the repository root is found by walking up to HwGen.sln).</summary>
internal static class TestConfigs
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HwGen.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("HwGen.sln not found above " + AppContext.BaseDirectory);
    });

    private static readonly Dictionary<string, DesignModel> Cache = [];

    public static string RepoRoot => Root.Value;

    public static DesignModel Load(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var d))
            {
                d = DesignResolver.LoadFile(Path.Combine(RepoRoot, "configs", name + ".yaml"));
                Cache[name] = d;
            }

            return d;
        }
    }

    /// <summary>A design with the smallest memories validation allows: deep tiling, one-tile buffers.</summary>
    public static DesignModel Cramped(int dim) => DesignResolver.LoadText(
        $"name: cramped{dim}\narray:\n  rows: {dim}\n  cols: {dim}\nscratchpad:\n  kib: 1\n  banks: 2\naccumulator:\n  kib: 1\n  banks: 2\naxi:\n  data_bits: 32\nqueues:\n  load: 2\n  exec: 2\n  store: 2\n");
}
