using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CliWrap;
using HwGen.Generator.Rendering;

namespace HwGen.Verif;

/// <summary>
/// Builds the Verilator harness for a rendered RTL folder, caching binaries under
/// <c>&lt;repo&gt;/.hwgen-cache/verilator/&lt;hash&gt;/</c>. The hash covers the RTL files, the harness
/// sources, the generated parameter header, the Verilator version and every flag, so a cached
/// binary is reused only for identical inputs. Builds happen in a temporary folder that is moved
/// into place when complete, so an interrupted build never leaves a half-built cache entry.
/// </summary>
public static class HarnessBuild
{
    /// <summary>Name of the simulator executable inside a cache entry.</summary>
    public const string ExecutableName = "hwgen_sim";

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Locks = new(StringComparer.Ordinal);

    /// <summary>Builds (or fetches from the cache) the harness for <paramref name="rtlDirectory"/>.</summary>
    /// <param name="rtlDirectory">A folder rendered by <see cref="RtlGenerator"/> (with <c>filelist.f</c>).</param>
    /// <param name="options">Build options; null for the defaults.</param>
    /// <param name="progress">Receives status lines and the tool output while building.</param>
    /// <param name="cancellationToken">Cancels the build (the temporary folder is removed).</param>
    /// <exception cref="ToolchainException">Verilator, make or g++ is missing.</exception>
    /// <exception cref="HarnessBuildException">Verilator or the compiler failed; the message holds their output.</exception>
    public static async Task<HarnessBinary> BuildAsync(
        string rtlDirectory,
        HarnessBuildOptions? options = null,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(rtlDirectory);
        options ??= new HarnessBuildOptions();
        var rtl = Path.GetFullPath(rtlDirectory);
        if (!File.Exists(Path.Combine(rtl, RtlGenerator.FileListName)))
        {
            throw new HarnessBuildException(
                $"{rtl} has no {RtlGenerator.FileListName}; generate the RTL first (`hwgen generate <config>`).");
        }

        var verilator = await Toolchain.FindVerilatorAsync(cancellationToken).ConfigureAwait(false);
        var harnessDir = FindHarnessSources(options);
        var sources = RtlGenerator.ReadFileList(rtl);
        var header = HarnessParamsHeader.Render();
        var flags = VerilatorFlags(options);
        var hash = Hash(rtl, sources, harnessDir, header, verilator, flags);

        var cacheRoot = Path.Combine(options.CacheRoot ?? DefaultCacheRoot(rtl), "verilator");
        var entry = Path.Combine(cacheRoot, hash);
        var exe = Path.Combine(entry, ExecutableName);

        var gate = Locks.GetOrAdd(hash, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(exe))
            {
                progress?.Report($"harness: cached build {hash[..12]} ({(options.Trace ? "trace" : "fast")})");
                return new HarnessBinary(exe, hash, FromCache: true, BuildSeconds: 0, options.Trace);
            }

            Directory.CreateDirectory(cacheRoot);
            var temp = Path.Combine(cacheRoot, $".tmp-{hash[..12]}-{Environment.ProcessId}-{Guid.NewGuid():N}");
            var obj = Path.Combine(temp, "obj");
            var stage = Path.Combine(temp, "entry");
            Directory.CreateDirectory(obj);
            Directory.CreateDirectory(stage);
            try
            {
                var include = Path.Combine(temp, "include");
                Directory.CreateDirectory(include);
                await File.WriteAllTextAsync(Path.Combine(include, HarnessParamsHeader.FileName), header, cancellationToken).ConfigureAwait(false);

                var args = new List<string>(flags)
                {
                    "-CFLAGS", $"-std=c++17 -I{harnessDir} -I{include}",
                    "--Mdir", obj,
                    "-o", ExecutableName,
                    "-I" + rtl,
                };
                // The RTL's own waiver file(s) (conventions: one .vlt, each waiver narrowed to a file and message).
                args.AddRange(Directory.GetFiles(rtl, "*.vlt").Order(StringComparer.Ordinal));

                args.AddRange(sources);

                // Every harness source (sim_main.cpp and its parts); test_*.cpp are separate programs.
                args.AddRange(HarnessSources(harnessDir));

                progress?.Report($"harness: building {hash[..12]} for {rtl} with {verilator.Version} ({(options.Trace ? "trace" : "fast")}, -j {options.Jobs}); this takes a while for large arrays");
                var log = new StringBuilder();
                var sw = Stopwatch.StartNew();
                void OnLine(string line)
                {
                    lock (log)
                    {
                        log.AppendLine(line);
                    }

                    progress?.Report(line);
                }

                var result = await Cli.Wrap(verilator.Path)
                    .WithArguments(args)
                    .WithWorkingDirectory(temp)
                    .WithValidation(CommandResultValidation.None)
                    .WithStandardOutputPipe(PipeTarget.ToDelegate(OnLine))
                    .WithStandardErrorPipe(PipeTarget.ToDelegate(OnLine))
                    .ExecuteAsync(cancellationToken).ConfigureAwait(false);
                sw.Stop();

                var built = Path.Combine(obj, ExecutableName);
                if (result.ExitCode != 0 || !File.Exists(built))
                {
                    var logPath = Path.Combine(cacheRoot, "last-failure.log");
                    await File.WriteAllTextAsync(logPath, log.ToString(), CancellationToken.None).ConfigureAwait(false);
                    throw new HarnessBuildException(
                        $"Verilator could not build the harness for {rtl} (exit code {result.ExitCode.ToString(CultureInfo.InvariantCulture)}).\n" +
                        Tail(log.ToString(), 40) +
                        $"\nFull log: {logPath}. Check the RTL with `verilator --lint-only -Wall` and the harness sources in {harnessDir}.");
                }

                File.Move(built, Path.Combine(stage, ExecutableName));
                await File.WriteAllTextAsync(Path.Combine(stage, "key.txt"),
                    $"rtl: {rtl}\nverilator: {verilator.Version}\nflags: {string.Join(' ', flags)}\n", cancellationToken).ConfigureAwait(false);
                try
                {
                    Directory.Move(stage, entry);
                }
                catch (IOException) when (File.Exists(exe))
                {
                    // Another process finished the same build first; its binary is identical.
                }

                progress?.Report($"harness: built {hash[..12]} in {sw.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");
                return new HarnessBinary(exe, hash, FromCache: false, sw.Elapsed.TotalSeconds, options.Trace);
            }
            finally
            {
                TryDelete(temp);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The Verilator flags for a build (everything except paths).</summary>
    public static IReadOnlyList<string> VerilatorFlags(HarnessBuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var flags = new List<string>
        {
            "--cc", "--exe", "--build",
            "-O3", "--x-assign", "fast", "--x-initial", "fast",
            "--top-module", RtlGenerator.TopModule,
            "-j", Math.Max(1, options.Jobs).ToString(CultureInfo.InvariantCulture),
            "-MAKEFLAGS", "OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2",
        };
        if (options.Threads > 1)
        {
            flags.Add("--threads");
            flags.Add(options.Threads.ToString(CultureInfo.InvariantCulture));
        }

        if (options.Trace)
        {
            flags.Add("--trace-fst");
        }

        flags.AddRange(options.ExtraFlags);

        return flags;
    }

    /// <summary>The default cache root: <c>.hwgen-cache</c> in the repository holding <paramref name="near"/> (or the current directory).</summary>
    public static string DefaultCacheRoot(string near)
    {
        foreach (var start in new[] { near, Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var repo = FindRepo(start);
            if (repo is not null)
            {
                return Path.Combine(repo, ".hwgen-cache");
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), ".hwgen-cache");
    }

    private static string? FindRepo(string start)
    {
        var dir = new DirectoryInfo(Path.GetFullPath(start));
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HwGen.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName;
    }

    private static string FindHarnessSources(HarnessBuildOptions options)
    {
        var candidates = new List<string>();
        if (options.HarnessSourceDirectory is not null)
        {
            candidates.Add(options.HarnessSourceDirectory);
        }

        candidates.Add(Path.Combine(AppContext.BaseDirectory, "harness"));
        var repo = FindRepo(AppContext.BaseDirectory) ?? FindRepo(Directory.GetCurrentDirectory());
        if (repo is not null)
        {
            candidates.Add(Path.Combine(repo, "verif", "harness"));
        }

        return candidates.Select(Path.GetFullPath).FirstOrDefault(d => File.Exists(Path.Combine(d, "sim_main.cpp")))
            ?? throw new ToolchainException(
                "The harness sources (sim_main.cpp, axi_mem.h) were not found next to HwGen.Verif.dll or in verif/harness; rebuild the solution.");
    }

    private static string Hash(string rtl, IReadOnlyList<string> sources, string harnessDir, string header, VerilatorInfo verilator, IReadOnlyList<string> flags)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string label, byte[] content)
        {
            sha.AppendData(Encoding.UTF8.GetBytes($"{label}\0{content.Length.ToString(CultureInfo.InvariantCulture)}\0"));
            sha.AppendData(content);
        }

        Add("format", "hwgen-harness-v1"u8.ToArray());
        Add("verilator", Encoding.UTF8.GetBytes(verilator.Version));
        Add("flags", Encoding.UTF8.GetBytes(string.Join('\n', flags)));
        Add("header", Encoding.UTF8.GetBytes(header));
        foreach (var source in sources)
        {
            Add("rtl:" + Path.GetRelativePath(rtl, source).Replace('\\', '/'), File.ReadAllBytes(source));
        }

        // Include files and waivers that the filelist does not name.
        var named = sources.ToHashSet(StringComparer.Ordinal);
        foreach (var extra in Directory.GetFiles(rtl)
                     .Where(f => f.EndsWith(".vh", StringComparison.Ordinal) || f.EndsWith(".svh", StringComparison.Ordinal) || f.EndsWith(".vlt", StringComparison.Ordinal) || f.EndsWith(".v", StringComparison.Ordinal))
                     .Where(f => !named.Contains(f))
                     .Order(StringComparer.Ordinal))
        {
            Add("rtl-extra:" + Path.GetFileName(extra), File.ReadAllBytes(extra));
        }

        foreach (var file in HarnessFiles(harnessDir, ".cpp", ".h", ".vlt"))
        {
            Add("harness:" + Path.GetFileName(file), File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The harness's C++ sources compiled into the binary, in a fixed order.</summary>
    public static IReadOnlyList<string> HarnessSources(string harnessDir) => HarnessFiles(harnessDir, ".cpp");

    /// <summary>Harness files with one of the extensions, without the standalone test programs (test_*), sorted.</summary>
    private static string[] HarnessFiles(string harnessDir, params string[] extensions) =>
        Directory.GetFiles(harnessDir)
            .Where(f => extensions.Any(e => f.EndsWith(e, StringComparison.Ordinal)))
            .Where(f => !Path.GetFileName(f).StartsWith("test_", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        var errors = all.Where(l => l.Contains("%Error", StringComparison.Ordinal) || l.Contains("%Warning", StringComparison.Ordinal) || l.Contains("error:", StringComparison.Ordinal)).Take(lines).ToList();
        var chosen = errors.Count > 0 ? errors : all.TakeLast(lines).ToList();
        return string.Join('\n', chosen);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
