using System.Collections.Concurrent;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

/// <summary>
/// Shared by every co-simulation test of a run: renders each shipped configuration once into a
/// temporary folder and keeps one <see cref="CosimSession"/> per configuration, so each harness is
/// built at most once per run (and usually fetched from <c>.hwgen-cache</c>).
/// </summary>
public sealed class CosimFixture : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"hwgen-cosim-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private readonly ConcurrentDictionary<string, Lazy<CosimSession>> sessions = new(StringComparer.Ordinal);

    /// <summary>Progress lines of harness builds (useful when a test fails).</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>The session for a shipped configuration (rendered on first use).</summary>
    public CosimSession Session(string config) => sessions.GetOrAdd(config, name => new Lazy<CosimSession>(() =>
    {
        var design = DesignResolver.LoadFile(RepoPaths.Config(name));
        var dir = Path.Combine(root, name);
        RtlGenerator.Generate(design, dir, "hwgen generate configs/" + name + ".yaml");
        return new CosimSession(design, dir, new HarnessBuildOptions
        {
            CacheRoot = Path.Combine(RepoPaths.Root, ".hwgen-cache"),
            ExtraFlags = (Environment.GetEnvironmentVariable("HWGEN_VERILATOR_EXTRA") ?? string.Empty)
                .Split(' ', StringSplitOptions.RemoveEmptyEntries),
        }, new Progress<string>(Log.Enqueue));
    })).Value;

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}
