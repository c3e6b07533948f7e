namespace HwGen.Verif;

/// <summary>How to build the Verilator harness.</summary>
public sealed record HarnessBuildOptions
{
    /// <summary>Build the FST-tracing variant (<c>--trace-fst</c>); slower, only used when a trace is requested.</summary>
    public bool Trace { get; init; }

    /// <summary>Verilator model threads (<c>--threads</c>); 0 or 1 builds a single-threaded model.</summary>
    public int Threads { get; init; }

    /// <summary>Parallel compile jobs (<c>-j</c>).</summary>
    public int Jobs { get; init; } = 2;

    /// <summary>Extra Verilator arguments appended to the standard flags (part of the cache key), e.g. <c>--prof-cfuncs</c>. Empty by default: the RTL must build without waivers.</summary>
    public IReadOnlyList<string> ExtraFlags { get; init; } = [];

    /// <summary>
    /// Extra Verilator flags from <c>HWGEN_VERILATOR_EXTRA</c> (space-separated), a local escape hatch
    /// (e.g. a temporary <c>-Wno-…</c> while an RTL warning is being fixed); empty when unset.
    /// </summary>
    public static IReadOnlyList<string> EnvironmentExtraFlags() =>
        (Environment.GetEnvironmentVariable("HWGEN_VERILATOR_EXTRA") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Cache root; default <c>&lt;repo&gt;/.hwgen-cache</c> (the folder holding HwGen.sln above the RTL or the current directory).</summary>
    public string? CacheRoot { get; init; }

    /// <summary>Folder with the harness C++ sources; default: <c>harness/</c> next to this assembly, else <c>&lt;repo&gt;/verif/harness</c>.</summary>
    public string? HarnessSourceDirectory { get; init; }
}
