using System.Diagnostics;
using System.Globalization;
using System.Text;
using HwGen.Generator.Config;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Software.Compiler;
using HwGen.Software.Workloads;

namespace HwGen.Verif;

/// <summary>
/// Randomized differential testing: draws configurations (array shape, tiles, dataflow, small
/// memories, AXI width, queues, outstanding bursts), renders and builds each (cached), then draws
/// GEMM workloads and AXI latency/backpressure and requires the RTL to match the golden model bit
/// for bit. Every draw comes from one seed, so a run is reproducible; each case also has a command
/// line that reproduces it alone. Failing cases are shrunk (M, N, K halved, backpressure dropped).
/// </summary>
public sealed class Fuzzer(FuzzSettings settings, IProgress<string>? progress = null)
{
    private static readonly int[] AxiWidths = [32, 64, 128, 256];
    private static readonly int[] SpKib = [1, 2, 4, 8, 16];
    private static readonly int[] AccKib = [1, 2, 4, 8];
    private static readonly int[] Banks = [1, 2, 4];
    private static readonly int[] Queues = [1, 2, 4, 8, 16];
    private static readonly int[] DigitBits = [32, 32, 16, 8];
    private static readonly int[] CounterWidths = [32, 48, 64];
    private static readonly string[] Dataflows = ["ws", "os", "both"];

    /// <summary>
    /// Runs until the duration (or configuration limit) is reached, <see cref="FuzzSettings.Jobs"/> configurations at a
    /// time. Configuration i and its cases are always drawn i-th from the seed (draws are taken in order under a lock), so
    /// a seed reproduces the same cases whatever the job count; the summary lists failures in configuration order and is
    /// also written as JSON (<see cref="FuzzSettings.SummaryPath"/>, default <c>summary.json</c> in the output folder).
    /// </summary>
    public async Task<FuzzSummary> RunAsync(CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        var rng = new SeededRandom(settings.Seed);
        Directory.CreateDirectory(settings.OutputDirectory);
        var gate = new object();
        int cases = 0, configs = 0, mismatches = 0, hangs = 0, skipped = 0, buildFailures = 0, referenceMismatches = 0;
        long cycles = 0;
        var failures = new List<(int Config, int Case, FuzzFailure Failure)>();
        var byKind = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var features = new SortedDictionary<string, int>(StringComparer.Ordinal);
        bool TimeLeft() => clock.Elapsed < settings.Duration && !cancellationToken.IsCancellationRequested;

        async Task Worker()
        {
            while (true)
            {
                int index;
                string name, yaml, configPath;
                DesignModel design;
                List<FuzzCase> drawn;
                lock (gate)
                {
                    if (!TimeLeft() || (settings.MaxConfigs != 0 && configs >= settings.MaxConfigs))
                    {
                        return;
                    }

                    index = configs++;
                    name = string.Create(CultureInfo.InvariantCulture, $"fuzz-{settings.Seed}-{index}");
                    (yaml, design) = DrawConfig(rng, name);
                    configPath = settings.OutputDirectory.TrimEnd('/', '\\').Replace('\\', '/') + "/" + name + ".yaml";

                    // Every case of a configuration is drawn even when time runs out, so that a seed always
                    // draws the same sequence; cases after the deadline are not run.
                    drawn = Enumerable.Range(0, settings.CasesPerConfig).Select(_ => DrawCase(rng, design, configPath)).ToList();
                    foreach (var f in Features(design))
                    {
                        features[f] = features.GetValueOrDefault(f) + 1;
                    }
                }

                await File.WriteAllTextAsync(configPath, yaml, cancellationToken).ConfigureAwait(false);
                var rtlDir = Path.Combine(settings.OutputDirectory, "rtl", name);
                RtlGenerator.Generate(design, rtlDir, "hwgen generate " + configPath);
                Report($"[{clock.Elapsed:mm\\:ss}] config {name}: {Describe(design)}; building (cached by RTL hash)");

                // Each configuration has its own name, so its RTL (banner: config hash) and harness cache entry are its own:
                // parallel jobs never build the same entry at once (HarnessBuild's staged rename covers a rerun anyway).
                var session = new CosimSession(design, rtlDir, settings.Build);
                try
                {
                    await session.PrepareAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (HarnessBuildException ex)
                {
                    lock (gate)
                    {
                        buildFailures++;
                    }

                    Report($"  BUILD FAILED for {configPath}: {ex.Message}");
                    continue;
                }

                for (var i = 0; i < drawn.Count && TimeLeft(); i++)
                {
                    var c = drawn[i];
                    var result = await RunCaseAsync(session, c, cancellationToken).ConfigureAwait(false);
                    int number;
                    lock (gate)
                    {
                        number = ++cases;
                        cycles += result.Cycles;
                        var kind = Kind(c);
                        byKind[kind] = byKind.GetValueOrDefault(kind) + 1;
                        switch (result.Verdict)
                        {
                            case FuzzVerdict.Mismatch:
                                mismatches++;
                                referenceMismatches += result.Disagreement is Disagreement.GoldenVsReference or Disagreement.Both ? 1 : 0;
                                break;
                            case FuzzVerdict.Hang:
                                hangs++;
                                break;
                            case FuzzVerdict.Skipped:
                                skipped++;
                                break;
                            default:
                                break;
                        }
                    }

                    Report(string.Create(CultureInfo.InvariantCulture,
                        $"[{clock.Elapsed:mm\\:ss}] case {number} ({name}): {c.Workload} {(c.Dataflow == Dataflow.Ws ? "ws" : "os")} seed={c.Seed} latency={c.Latency} stall={c.StallPercent}% jitter={c.Jitter}: {result.Verdict.ToString().ToLowerInvariant()}{(result.Cycles > 0 ? $" ({result.Cycles} cycles)" : string.Empty)}{(result.Summary.Length > 0 ? ": " + result.Summary : string.Empty)}"));
                    if (result.Failed)
                    {
                        Report($"  reproduce: {c.ReproCommand}");
                        var shrunk = settings.Shrink ? await ShrinkAsync(session, result, cancellationToken).ConfigureAwait(false) : result;
                        if (!ReferenceEquals(shrunk, result))
                        {
                            Report($"  shrunk to: {shrunk.Case.ReproCommand}  ({shrunk.Summary})");
                        }

                        lock (gate)
                        {
                            failures.Add((index, i, new FuzzFailure(result, shrunk)));
                        }
                    }
                }
            }
        }

        var jobs = Math.Max(1, settings.Jobs);
        await Task.WhenAll(Enumerable.Range(0, jobs).Select(_ => Task.Run(Worker, cancellationToken))).ConfigureAwait(false);

        var summary = new FuzzSummary
        {
            Seed = settings.Seed,
            Jobs = jobs,
            Cases = cases,
            Configs = configs,
            Mismatches = mismatches,
            ReferenceMismatches = referenceMismatches,
            Hangs = hangs,
            Skipped = skipped,
            BuildFailures = buildFailures,
            Cycles = cycles,
            CasesByKind = byKind,
            ConfigFeatures = features,
            Failures = failures.OrderBy(f => f.Config).ThenBy(f => f.Case).Select(f => f.Failure).ToList(),
        };
        var summaryPath = settings.SummaryPath ?? Path.Combine(settings.OutputDirectory, "summary.json");
        await File.WriteAllTextAsync(summaryPath, FuzzSummary.ToJson(summary), cancellationToken).ConfigureAwait(false);
        return summary with { SummaryPath = summaryPath };
    }

    /// <summary>The case's kind for the summary: workload kind, dataflow and whether the memory model pushes back.</summary>
    public static string Kind(FuzzCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var workload = c.Workload[..c.Workload.IndexOf(':', StringComparison.Ordinal)];
        return $"{workload}{(c.Relu ? "+relu" : string.Empty)}/{(c.Dataflow == Dataflow.Ws ? "ws" : "os")}/{(c.StallPercent > 0 || c.Jitter > 0 ? "backpressure" : "no-backpressure")}";
    }

    /// <summary>The RTL features a drawn configuration exercises, for the summary's per-feature counts.</summary>
    public static IEnumerable<string> Features(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        yield return d.SupportWs && d.SupportOs ? "dataflow_both" : d.SupportWs ? "dataflow_ws" : "dataflow_os";
        yield return d.DspPacking ? "dsp_packing" : d.MulLogic ? "logic_multipliers" : "dsp_multipliers";
        yield return d.RequantLanes < d.Cols ? "serial_requant" : "parallel_requant";
        yield return d.TileRows > 1 || d.TileCols > 1 ? "combinational_tiles" : "registered_pes";
        if (d.LoadQueueDepth == 1 || d.ExecQueueDepth == 1 || d.StoreQueueDepth == 1)
        {
            yield return "one_entry_queue";
        }
    }

    /// <summary>Draws a valid configuration (retrying draws the validator rejects) and its YAML text.</summary>
    public static (string Yaml, DesignModel Design) DrawConfig(SeededRandom rng, string name)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (var attempt = 0; ; attempt++)
        {
            var rows = 2 + rng.Next(15);
            var cols = 2 + rng.Next(15);
            var tileRows = Divisor(rng, rows);
            var tileCols = Divisor(rng, cols);
            var dataflow = Pick(rng, Dataflows);
            var yaml = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"# Drawn by hwgen fuzz.\nname: {name}\n")
                .Append(CultureInfo.InvariantCulture, $"array:\n  rows: {rows}\n  cols: {cols}\n  tile_rows: {tileRows}\n  tile_cols: {tileCols}\n  dataflow: {dataflow}\n")
                .Append(CultureInfo.InvariantCulture, $"scratchpad:\n  kib: {Pick(rng, SpKib)}\n  banks: {Pick(rng, Banks)}\n")
                .Append(CultureInfo.InvariantCulture, $"accumulator:\n  kib: {Pick(rng, AccKib)}\n  banks: {Pick(rng, Banks)}\n")
                .Append(CultureInfo.InvariantCulture, $"axi:\n  data_bits: {Pick(rng, AxiWidths)}\n  max_outstanding: {1 + rng.Next(8)}\n")
                .Append(CultureInfo.InvariantCulture, $"queues:\n  load: {Pick(rng, Queues)}\n  exec: {Pick(rng, Queues)}\n  store: {Pick(rng, Queues)}\n");

            // FPGA options (array.dsp_packing, array.multiplier, requant, counters) change the RTL, never a result bit.
            var packing = tileCols % 2 == 0 && rng.Next(3) == 0;
            var logic = !packing && rng.Next(5) == 0;
            var lanes = rng.Next(2) == 0 ? cols : Divisor(rng, cols);
            var digits = Pick(rng, DigitBits);
            yaml.Insert(yaml.ToString().IndexOf("scratchpad:", StringComparison.Ordinal),
                    string.Create(CultureInfo.InvariantCulture, $"  dsp_packing: {(packing ? "true" : "false")}\n  multiplier: {(logic ? "logic" : "dsp")}\n"))
                .Append(CultureInfo.InvariantCulture, $"requant:\n  lanes: {lanes}\n  digit_bits: {digits}\n")
                .Append(CultureInfo.InvariantCulture, $"counters:\n  bits: {Pick(rng, CounterWidths)}\n");
            var text = yaml.ToString();
            try
            {
                return (text, DesignResolver.LoadText(text, name + ".yaml"));
            }
            catch (ConfigException) when (attempt < 200)
            {
                // Memories too small for the array: draw again.
            }
        }
    }

    /// <summary>Draws a workload and AXI randomization for a design.</summary>
    public static FuzzCase DrawCase(SeededRandom rng, DesignModel design, string configPath, int maxGemmDim = 96)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(design);
        int Dim() => rng.Next(4) == 0 ? 1 + rng.Next(8) : 1 + rng.Next(maxGemmDim);
        var m = Dim();
        var n = Dim();
        var k = Dim();
        var relu = rng.Next(2) == 1;
        var dataflow = design.SupportWs && design.SupportOs ? (rng.Next(2) == 0 ? Dataflow.Ws : Dataflow.Os)
            : design.SupportWs ? Dataflow.Ws : Dataflow.Os;
        var seed = 1 + (rng.NextU64() % 999_999);
        var latency = 1 + rng.Next(8);
        var stall = rng.Next(3) == 0 ? 0 : rng.Next(60);
        var jitter = rng.Next(2) == 0 ? 0 : rng.Next(20);
        return new FuzzCase(configPath, m, n, k, relu, dataflow, seed, latency, stall, jitter);
    }

    /// <summary>Compiles and co-simulates one case.</summary>
    public async Task<FuzzResult> RunCaseAsync(CosimSession session, FuzzCase c, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(c);
        Software.Programs.CompiledProgram program;
        try
        {
            program = WorkloadCompiler.Compile(session.Design, WorkloadSpec.Parse(c.SeededWorkload), c.Dataflow);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return new FuzzResult(c, FuzzVerdict.Skipped, ex.Message, 0);
        }

        var report = await session.RunAsync(program, c.Options(settings.MaxCycles), cancellationToken).ConfigureAwait(false);
        var verdict = report.Status is SimStatus.Hang or SimStatus.Timeout ? FuzzVerdict.Hang
            : !report.Match || report.Problems.Count > 0 || report.GoldenFault.Code != 0 ? FuzzVerdict.Mismatch
            : FuzzVerdict.Pass;
        var summary = verdict == FuzzVerdict.Pass ? string.Empty
            : report.Problems.Count > 0 ? report.Problems[0]
            : $"golden fault {report.GoldenFault.Name} at {report.GoldenFault.Pc}: {report.GoldenFaultDetail}";
        return new FuzzResult(c, verdict, summary, report.Cycles, report.Disagreement);
    }

    /// <summary>Halves M, N and K while the case still fails, then tries without backpressure.</summary>
    public async Task<FuzzResult> ShrinkAsync(CosimSession session, FuzzResult failing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(failing);
        var best = failing;
        var trials = 0;
        const int MaxTrials = 24;
        async Task<bool> Try(FuzzCase candidate)
        {
            if (candidate == best.Case || trials >= MaxTrials)
            {
                return false;
            }

            trials++;
            var r = await RunCaseAsync(session, candidate, cancellationToken).ConfigureAwait(false);
            // Keep only a smaller case that fails the same way (a shrink to a different failure hides the first one).
            if (!r.Failed || r.Verdict != failing.Verdict || r.Disagreement != failing.Disagreement)
            {
                return false;
            }

            best = r;
            return true;
        }

        for (var changed = true; changed && trials < MaxTrials;)
        {
            changed = false;
            var c = best.Case;
            changed |= c.M > 1 && await Try(c with { M = c.M / 2 }).ConfigureAwait(false);
            c = best.Case;
            changed |= c.N > 1 && await Try(c with { N = c.N / 2 }).ConfigureAwait(false);
            c = best.Case;
            changed |= c.K > 1 && await Try(c with { K = c.K / 2 }).ConfigureAwait(false);
        }

        var last = best.Case;
        if (last.StallPercent > 0 || last.Jitter > 0)
        {
            await Try(last with { StallPercent = 0, Jitter = 0 }).ConfigureAwait(false);
        }

        if (best.Case.Latency > 1)
        {
            await Try(best.Case with { Latency = 1 }).ConfigureAwait(false);
        }

        return best;
    }

    /// <summary>One line describing a design.</summary>
    public static string Describe(DesignModel d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var df = d.SupportWs && d.SupportOs ? "both" : d.SupportWs ? "ws" : "os";
        return string.Create(CultureInfo.InvariantCulture,
            $"{d.Rows}x{d.Cols} tiles {d.TileRows}x{d.TileCols} {df}, sp {d.SpDepth} rows/{d.SpBanks} banks, acc {d.AccDepth} rows/{d.AccBanks} banks, AXI {d.AxiDataBits} bits/{d.DmaOutstanding} outstanding, queues {d.LoadQueueDepth}/{d.ExecQueueDepth}/{d.StoreQueueDepth}, requant {d.RequantLanes} lanes x {d.RequantDigitBits}-bit digits{(d.DspPacking ? ", DSP packing" : string.Empty)}{(d.MulLogic ? ", logic multipliers" : string.Empty)}");
    }

    private static int Divisor(SeededRandom rng, int n)
    {
        var divisors = Enumerable.Range(1, n).Where(t => n % t == 0).ToArray();
        return divisors[rng.Next(divisors.Length)];
    }

    private static T Pick<T>(SeededRandom rng, T[] values) => values[rng.Next(values.Length)];

    private void Report(string line) => progress?.Report(line);
}
