using System.Diagnostics;
using System.Globalization;
using HwGen.Generator.Rendering;
using HwGen.Software.Workloads;

namespace HwGen.Verif;

/// <summary>One configuration of a campaign: drawing it in its place in the seed's sequence, building it and running its cases.</summary>
public sealed partial class Fuzzer
{
    /// <summary>Receives each configuration's outcome once its cases have run (called from the job that ran it; calls may overlap).</summary>
    public Action<FuzzConfigOutcome>? ConfigurationDone { get; init; }

    /// <summary>
    /// How many cases configuration <paramref name="index"/> runs: <see cref="FuzzSettings.CasesPerConfig"/>, fewer for
    /// the last one under <see cref="FuzzSettings.MaxCases"/>, and 0 past it. Fixing each configuration's share when it
    /// is drawn (not by which job gets to a case first) makes a case-bounded campaign run the same cases whatever the
    /// job count, and lets it be cut into array tasks.
    /// </summary>
    public static int Quota(FuzzSettings settings, int index)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var perConfig = Math.Max(1, settings.CasesPerConfig);
        if (settings.MaxConfigs != 0 && index >= settings.MaxConfigs)
        {
            return 0;
        }

        return settings.MaxCases == 0 ? perConfig : (int)Math.Clamp(settings.MaxCases - ((long)index * perConfig), 0, perConfig);
    }

    /// <summary>
    /// Runs configuration <paramref name="index"/> alone, as one task of a job array does: replays the seed's draws up to
    /// it (drawing is cheap next to a build), then builds it and runs its <see cref="Quota"/> cases; the duration does
    /// not apply. The outcome equals what a local campaign with the same settings got for that configuration.
    /// </summary>
    public async Task<FuzzConfigOutcome> RunTaskAsync(int index, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var quota = Quota(settings, index);
        if (quota == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "the campaign has no configuration with this index (--cases / --configs)");
        }

        var rng = new SeededRandom(settings.Seed);
        var draw = Draw(rng, 0);
        for (var i = 1; i <= index; i++)
        {
            draw = Draw(rng, i);
        }

        Directory.CreateDirectory(settings.OutputDirectory);
        var done = 0;
        return await RunConfigurationAsync(draw, quota, () => !cancellationToken.IsCancellationRequested, Stopwatch.StartNew(),
            _ => Interlocked.Increment(ref done), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Draws configuration <paramref name="index"/> and all its cases; the caller draws in index order from one stream.</summary>
    private FuzzDraw Draw(SeededRandom rng, int index)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"fuzz-{settings.Seed}-{index}");
        var (yaml, design) = DrawConfig(rng, name);
        var configPath = settings.OutputDirectory.TrimEnd('/', '\\').Replace('\\', '/') + "/" + name + ".yaml";

        // Every case of a configuration is drawn even when fewer run (quota, deadline), so a seed always draws the same sequence.
        var cases = Enumerable.Range(0, Math.Max(1, settings.CasesPerConfig))
            .Select(_ => DrawCase(rng, design, configPath, settings.MaxGemmDim, settings.FaultPercent)).ToList();
        return new FuzzDraw(index, name, yaml, design, configPath, cases);
    }

    /// <summary>
    /// Writes and renders the drawn configuration, builds its harness (cached by RTL hash) and runs its first
    /// <paramref name="quota"/> cases while <paramref name="timeLeft"/> holds, shrinking failures.
    /// <paramref name="count"/> numbers each finished case for its progress line.
    /// </summary>
    private async Task<FuzzConfigOutcome> RunConfigurationAsync(FuzzDraw draw, int quota, Func<bool> timeLeft, Stopwatch clock,
        Func<FuzzResult, int> count, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(draw.ConfigPath, draw.Yaml, cancellationToken).ConfigureAwait(false);
        var rtlDir = Path.Combine(settings.OutputDirectory, "rtl", draw.Name);
        RtlGenerator.Generate(draw.Design, rtlDir, "hwgen generate " + draw.ConfigPath);
        Report($"[{clock.Elapsed:hh\\:mm\\:ss}] config {draw.Name}: {Describe(draw.Design)}; building (cached by RTL hash)");
        var outcome = new FuzzConfigOutcome { Index = draw.Index, Name = draw.Name, Features = [.. Features(draw.Design)] };

        // Each configuration has its own name, so its RTL (banner: config hash) and harness cache entry are its own:
        // parallel jobs never build the same entry at once (HarnessBuild's staged rename covers a rerun anyway).
        var session = new CosimSession(draw.Design, rtlDir, settings.Build);
        var build = Stopwatch.StartNew();
        try
        {
            await session.PrepareAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HarnessBuildException ex)
        {
            Report($"  BUILD FAILED for {draw.ConfigPath}: {ex.Message}");
            return outcome with { BuildFailed = true, BuildSeconds = build.Elapsed.TotalSeconds };
        }

        var buildSeconds = build.Elapsed.TotalSeconds;
        var results = new List<FuzzResult>();
        var failures = new List<FuzzFailure>();
        for (var i = 0; i < Math.Min(quota, draw.Cases.Count) && timeLeft(); i++)
        {
            var c = draw.Cases[i];
            var result = await RunCaseAsync(session, c, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            var number = count(result);
            Report(string.Create(CultureInfo.InvariantCulture,
                $"[{clock.Elapsed:hh\\:mm\\:ss}] case {number} ({draw.Name}): {Describe(c)}: {Outcome(result)}"));
            if (result.Failed)
            {
                Report($"  reproduce: {result.ReproCommand}");
                var shrunk = settings.Shrink ? await ShrinkAsync(session, result, cancellationToken).ConfigureAwait(false) : result;
                if (!ReferenceEquals(shrunk, result))
                {
                    Report($"  shrunk to: {shrunk.ReproCommand}  ({shrunk.Summary})");
                }

                failures.Add(new FuzzFailure(result, shrunk));
            }
        }

        return outcome with { BuildSeconds = buildSeconds, Results = results, Failures = failures };
    }
}
