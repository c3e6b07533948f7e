using System.Globalization;
using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;

namespace HwGen.Verif;

/// <summary>Runs a built harness on a DRAM image and parses its result JSON and final DRAM.</summary>
public static class HarnessRunner
{
    /// <summary>Runs <paramref name="binary"/> on <paramref name="dram"/> with the program at <paramref name="programAddress"/>.</summary>
    /// <exception cref="HarnessRunException">The harness rejected its arguments or crashed.</exception>
    public static async Task<HarnessResult> RunAsync(
        HarnessBinary binary,
        byte[] dram,
        long programAddress,
        int programLength,
        HarnessRunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(binary);
        ArgumentNullException.ThrowIfNull(dram);
        options ??= new HarnessRunOptions();
        if (options.TracePath is not null && !binary.Traced)
        {
            throw new ArgumentException("a trace needs a harness built with HarnessBuildOptions.Trace", nameof(options));
        }

        var work = Path.Combine(Path.GetTempPath(), $"hwgen-run-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var image = Path.Combine(work, "dram.bin");
            var final = Path.Combine(work, "dram-final.bin");
            var json = Path.Combine(work, "result.json");
            var profile = Path.Combine(work, "profile.txt");
            await File.WriteAllBytesAsync(image, dram, cancellationToken).ConfigureAwait(false);
            var args = Arguments(image, programAddress, programLength, options);
            args.AddRange(["--dump-all", final, "--json", json, "--profile", profile]);

            var result = await Cli.Wrap(binary.ExecutablePath)
                .WithArguments(args)
                .WithWorkingDirectory(work)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0 || !File.Exists(json))
            {
                throw new HarnessRunException(
                    $"The harness {binary.ExecutablePath} failed (exit code {result.ExitCode.ToString(CultureInfo.InvariantCulture)}): " +
                    (result.StandardError.Trim().Length > 0 ? result.StandardError.Trim() : result.StandardOutput.Trim()));
            }

            var text = await File.ReadAllTextAsync(json, cancellationToken).ConfigureAwait(false);
            var finalDram = await File.ReadAllBytesAsync(final, cancellationToken).ConfigureAwait(false);
            var profileText = File.Exists(profile) ? await File.ReadAllTextAsync(profile, cancellationToken).ConfigureAwait(false) : null;
            return Parse(text, finalDram) with { Profile = profileText is null ? null : ExecProfile.Parse(profileText) };
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The harness command line (without the dump and JSON outputs) for an image file.</summary>
    public static List<string> Arguments(string imagePath, long programAddress, int programLength, HarnessRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        static string N(long v) => v.ToString(CultureInfo.InvariantCulture);
        var args = new List<string>
        {
            "--image", imagePath,
            "--prog-addr", N(programAddress),
            "--prog-len", N(programLength),
            "--max-cycles", N(options.MaxCycles),
            "--read-latency", N(options.ReadLatency),
            "--write-latency", N(options.WriteLatency),
            "--max-reads", N(options.MaxReads),
            "--max-writes", N(options.MaxWrites),
            "--seed", options.Seed.ToString(CultureInfo.InvariantCulture),
            "--jitter", N(options.Jitter),
            "--stall-pct", N(options.StallPercent),
        };
        if (options.MemorySize > 0)
        {
            args.AddRange(["--mem-size", N(options.MemorySize)]);
        }

        if (options.Watchdog > 0)
        {
            args.AddRange(["--watchdog", N(options.Watchdog)]);
        }

        if (options.PollInterval > 0)
        {
            args.AddRange(["--poll", N(options.PollInterval)]);
        }

        if (options.SlaveErrorRange is { } range)
        {
            var channel = options.SlaveErrorDirection switch
            {
                SlaveErrorDirection.Reads => ":r",
                SlaveErrorDirection.Writes => ":w",
                _ => string.Empty,
            };
            args.AddRange(["--slverr", $"{N(range.Start)}:{N(range.End)}{channel}"]);
        }

        if (options.TracePath is not null)
        {
            args.AddRange(["--trace", Path.GetFullPath(options.TracePath)]);
        }

        return args;
    }

    /// <summary>Parses the harness result JSON.</summary>
    public static HarnessResult Parse(string json, byte[] finalDram)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var counters = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var c in root.GetProperty("counters").EnumerateObject())
        {
            counters[c.Name] = c.Value.GetUInt64();
        }

        var axi = root.GetProperty("axi");
        long A(string name) => axi.GetProperty(name).GetInt64();
        var status = root.GetProperty("status").GetString() switch
        {
            "done" => SimStatus.Done,
            "error" => SimStatus.Error,
            "hang" => SimStatus.Hang,
            _ => SimStatus.Timeout,
        };
        return new HarnessResult
        {
            Status = status,
            Reason = root.GetProperty("reason").GetString() ?? string.Empty,
            Cycles = root.GetProperty("cycles").GetInt64(),
            TotalCycles = root.GetProperty("total_cycles").GetInt64(),
            Irq = root.GetProperty("irq").GetBoolean(),
            UnitStatus = root.GetProperty("unit_status").GetUInt32(),
            Tokens = root.GetProperty("tokens").GetUInt32(),
            Stalled = root.GetProperty("stalled").GetString() ?? string.Empty,
            StatusRegister = root.GetProperty("status_reg").GetUInt32(),
            ErrorCode = root.GetProperty("error_code").GetInt32(),
            ErrorPc = root.GetProperty("error_pc").GetInt32(),
            HardwareId = root.GetProperty("hw_id").GetUInt32(),
            HardwareConfig = root.GetProperty("hw_config").GetUInt32(),
            Counters = counters,
            WallSeconds = root.GetProperty("sim_wall_seconds").GetDouble(),
            CyclesPerSecond = root.GetProperty("cycles_per_second").GetDouble(),
            Axi = new AxiStatistics(A("ar"), A("aw"), A("r_beats"), A("w_beats"), A("b"), A("read_errors"), A("write_errors"), A("reads_outstanding"), A("writes_outstanding")),
            ProtocolViolationCount = root.GetProperty("protocol_violations").GetInt64(),
            ProtocolViolations = root.GetProperty("violations").EnumerateArray().Select(v => v.GetString() ?? string.Empty).ToArray(),
            Dram = finalDram,
            Json = json,
        };
    }
}
