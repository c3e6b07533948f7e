using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using HwGen.Generator.Config;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Generator.Rendering;
using HwGen.Software.Compiler;
using HwGen.Software.Programs;
using HwGen.Software.References;
using HwGen.Software.Workloads;

namespace HwGen.Verif;

/// <summary>
/// Randomized differential testing: draws configurations (every RTL-changing key of the configuration schema),
/// renders and builds each (cached), then draws workloads of every kind the design has units for (GEMMs, fused GELU,
/// row operations, short layers), AXI latency/backpressure and, in some cases, an injected fault (<see cref="FuzzFault"/>),
/// and requires the RTL to match the golden model bit for bit (and the same fault code and ERR_PC), the golden model to
/// match the untiled reference, and a program built never to end to be stopped as a hang. Every draw comes from one
/// seed, so a run is reproducible; each case also has a command line that reproduces it alone. Failing cases are shrunk
/// (workload sizes halved, backpressure dropped).
/// </summary>
public sealed partial class Fuzzer(FuzzSettings settings, IProgress<string>? progress = null)
{
    /// <summary>
    /// Runs until the duration, configuration limit or case limit is reached, <see cref="FuzzSettings.Jobs"/> configurations
    /// at a time. Configuration i and its cases are always drawn i-th from the seed (draws are taken in order under a lock),
    /// and configuration i runs at most <see cref="Quota"/> of them, so a seed reproduces the same cases whatever the job
    /// count (and whether the configurations run here or as array tasks, <see cref="FuzzArray"/>); the summary lists
    /// failures in configuration order and is also written as JSON (<see cref="FuzzSettings.SummaryPath"/>, default
    /// <c>summary.json</c> in the output folder).
    /// </summary>
    public async Task<FuzzSummary> RunAsync(CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        var rng = new SeededRandom(settings.Seed);
        Directory.CreateDirectory(settings.OutputDirectory);
        var gate = new object();
        var tally = new FuzzTally();
        bool TimeLeft() => clock.Elapsed < settings.Duration && !cancellationToken.IsCancellationRequested;

        async Task Worker()
        {
            while (true)
            {
                FuzzDraw draw;
                int quota;
                lock (gate)
                {
                    quota = Quota(settings, tally.Configs);
                    if (!TimeLeft() || quota == 0 || (settings.MaxConfigs != 0 && tally.Configs >= settings.MaxConfigs))
                    {
                        return;
                    }

                    draw = Draw(rng, tally.Configs++);
                    tally.AddFeatures(Features(draw.Design));
                }

                var outcome = await RunConfigurationAsync(draw, quota, TimeLeft, clock, r =>
                {
                    lock (gate)
                    {
                        return tally.AddCase(r);
                    }
                }, cancellationToken).ConfigureAwait(false);
                lock (gate)
                {
                    tally.AddOutcome(outcome);
                }

                ConfigurationDone?.Invoke(outcome);
            }
        }

        var jobs = Math.Max(1, settings.Jobs);
        await Task.WhenAll(Enumerable.Range(0, jobs).Select(_ => Task.Run(Worker, cancellationToken))).ConfigureAwait(false);

        var summary = tally.Summary(settings.Seed, jobs, clock.Elapsed);
        var summaryPath = settings.SummaryPath ?? Path.Combine(settings.OutputDirectory, "summary.json");
        await File.WriteAllTextAsync(summaryPath, FuzzSummary.ToJson(summary), cancellationToken).ConfigureAwait(false);
        return summary with { SummaryPath = summaryPath };
    }

    /// <summary>Compiles one case, puts its fault in, co-simulates it and judges the outcome (<see cref="Judge"/>).</summary>
    public async Task<FuzzResult> RunCaseAsync(CosimSession session, FuzzCase c, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(c);
        var clock = Stopwatch.StartNew();
        CompiledProgram program;
        IReadOnlyList<ReferenceTensor>? reference;
        try
        {
            var (compiled, layer) = WorkloadCompiler.Prepare(session.Design, WorkloadSpec.Parse(c.SeededWorkload), c.Dataflow);
            program = c.Wide16 ? WidePrologue.Prepend(session.Design, compiled, c.Seed) : compiled;
            reference = layer is null ? UntiledReference.ForProgram(compiled) : UntiledReference.ForLayers(layer.Layers);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return new FuzzResult(c, FuzzVerdict.Skipped, ex.Message, 0) { ReproCommand = c.ReproCommand, Seconds = clock.Elapsed.TotalSeconds };
        }

        var injected = FaultInjection.Apply(c.Fault, c.FaultPick, session.Design, program, c.Options(settings.MaxCycles));
        if (injected is null)
        {
            return new FuzzResult(c, FuzzVerdict.Skipped, $"the program has no place for a {FaultInjection.Name(c.Fault)} fault", 0)
            {
                ReproCommand = c.ReproCommand,
                Seconds = clock.Elapsed.TotalSeconds,
            };
        }

        var report = await session.RunAsync(injected.Program, injected.Options, reference, cancellationToken).ConfigureAwait(false);
        var (verdict, summary) = Judge(c, report);
        var failed = verdict is FuzzVerdict.Mismatch or FuzzVerdict.Hang;
        return new FuzzResult(c, verdict, summary, report.Cycles, failed ? report.Disagreement : Disagreement.None)
        {
            ReproCommand = failed && (FaultInjection.ChangesProgram(c.Fault) || c.Wide16) ? await WriteReproAsync(c, injected, cancellationToken).ConfigureAwait(false) : Repro(c, injected),
            Injected = c.Fault == FuzzFault.None ? string.Empty : injected.Description,
            GoldenFault = report.GoldenFault.Code == 0 ? "none" : report.GoldenFault.Name,
            ExpectedHang = c.Fault == FuzzFault.Hang && verdict == FuzzVerdict.Pass,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>
    /// The verdict on a co-simulation of <paramref name="c"/>: a case built never to end must be stopped by the watchdog
    /// as a hang; any other hang or timeout is a failure; the RTL must match the golden model (data, fault code and
    /// ERR_PC, counters, AXI protocol) and the golden model the untiled reference; a golden fault must be one the injected
    /// fault explains, and a fault that always triggers must trigger.
    /// </summary>
    public static (FuzzVerdict Verdict, string Summary) Judge(FuzzCase c, CosimReport report)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(report);
        var first = report.Problems.Count > 0 ? report.Problems[0] : string.Empty;
        if (c.Fault == FuzzFault.Hang)
        {
            return report.Status == SimStatus.Hang
                ? (FuzzVerdict.Pass, string.Empty)
                : (FuzzVerdict.Mismatch, $"expected a hang (a token pop that is never pushed), but the RTL run ended with status {report.Status.ToString().ToLowerInvariant()}{(first.Length > 0 ? ": " + first : string.Empty)}");
        }

        if (report.Status is SimStatus.Hang or SimStatus.Timeout)
        {
            return (FuzzVerdict.Hang, first.Length > 0 ? first : report.Reason);
        }

        if (!report.Match || report.Problems.Count > 0)
        {
            return (FuzzVerdict.Mismatch, first.Length > 0 ? first : "the RTL and the golden model differ");
        }

        var expected = FaultInjection.ExpectedCodes(c.Fault);
        var golden = report.GoldenFault;
        if (golden.Code != 0 && !expected.Contains((FaultCode)golden.Code))
        {
            return (FuzzVerdict.Mismatch, c.Fault == FuzzFault.None
                ? $"golden fault {golden.Name} at {golden.Pc} in a case without an injected fault: {report.GoldenFaultDetail}"
                : $"golden fault {golden.Name} at {golden.Pc}, but the injected {FaultInjection.Name(c.Fault)} should give {string.Join(" or ", expected.Select(IsaSpec.Name))}: {report.GoldenFaultDetail}");
        }

        if (golden.Code == 0 && FaultInjection.AlwaysFaults(c.Fault))
        {
            return (FuzzVerdict.Mismatch, $"the injected {FaultInjection.Name(c.Fault)} raised no fault (expected {string.Join(" or ", expected.Select(IsaSpec.Name))})");
        }

        return (FuzzVerdict.Pass, string.Empty);
    }

    /// <summary>Halves the workload's sizes (M, N, K, rows, cols, seq) while the case still fails, then tries without backpressure.</summary>
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
            foreach (var size in Sizes)
            {
                var spec = WorkloadSpec.Parse(best.Case.Workload);
                if (spec.Get(size) > 1)
                {
                    var halved = spec with { Parameters = spec.Parameters.SetItem(size, spec.Get(size) / 2) };
                    changed |= await Try(best.Case with { Workload = halved.ToString() }).ConfigureAwait(false);
                }
            }
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
        var units = string.Join("+", new[] { (d.UnitGelu, "gelu"), (d.UnitSoftmax, "softmax"), (d.UnitLayerNorm, "layernorm") }.Where(u => u.Item1).Select(u => u.Item2));
        return string.Create(CultureInfo.InvariantCulture,
            $"{d.Rows}x{d.Cols} tiles {d.TileRows}x{d.TileCols} {df}, sp {d.SpDepth} rows/{d.SpBanks} banks{(d.TransposedLoad ? string.Empty : " (no sp_t)")}, acc {d.AccDepth} rows/{d.AccBanks} banks, AXI {d.AxiDataBits} bits/{d.DmaOutstanding} outstanding, queues {d.LoadQueueDepth}/{d.ExecQueueDepth}/{d.StoreQueueDepth}, units {(units.Length > 0 ? units : "none")}, requant {d.RequantLanes} lanes x {d.RequantDigitBits}-bit digits, {d.CounterBits}-bit counters{(d.CountersAll ? string.Empty : " (cycles only)")}{(d.DspPacking ? ", DSP packing" : string.Empty)}{(d.MulLogic ? ", logic multipliers" : string.Empty)}");
    }

    /// <summary>One line describing a case.</summary>
    public static string Describe(FuzzCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return string.Create(CultureInfo.InvariantCulture,
            $"{c.Workload}{(c.IsGemm ? (c.Dataflow == Dataflow.Ws ? " ws" : " os") : string.Empty)} seed={c.Seed} latency={c.Latency} stall={c.StallPercent}% jitter={c.Jitter}{(c.Fault == FuzzFault.None ? string.Empty : " fault=" + FaultInjection.Name(c.Fault))}");
    }

    private static string Outcome(FuzzResult r)
    {
        var verdict = r.ExpectedHang ? "expected hang" : r.Verdict.ToString().ToLowerInvariant();
        var cycles = r.Cycles > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({r.Cycles} cycles)") : string.Empty;
        var fault = r.Injected.Length == 0 ? string.Empty
            : r.GoldenFault != "none" && !r.Failed ? $" [{r.GoldenFault}, as the golden model predicted, from {r.Injected}]"
            : $" [{r.Injected}]";
        return verdict + cycles + fault + (r.Summary.Length > 0 ? ": " + r.Summary : string.Empty);
    }

    /// <summary>The reproducing command of a case run from its workload (with the SLVERR range of an AXI fault).</summary>
    private static string Repro(FuzzCase c, InjectedFault injected)
    {
        if (injected.Options.SlaveErrorRange is not { } r)
        {
            return c.ReproCommand;
        }

        var channel = injected.Options.SlaveErrorDirection switch
        {
            SlaveErrorDirection.Reads => ":r",
            SlaveErrorDirection.Writes => ":w",
            _ => string.Empty,
        };
        return string.Create(CultureInfo.InvariantCulture, $"{c.ReproCommand} --slverr 0x{r.Start:X}:0x{r.End:X}{channel}");
    }

    /// <summary>
    /// Writes a changed program as assembly (one <c>.word</c> per instruction, the disassembly as a comment) and the DRAM
    /// image it runs on into <c>repro/</c> of the output folder; returns the <c>hwgen sim --program</c> command that runs them.
    /// </summary>
    private async Task<string> WriteReproAsync(FuzzCase c, InjectedFault injected, CancellationToken cancellationToken)
    {
        var folder = settings.OutputDirectory.TrimEnd('/', '\\').Replace('\\', '/') + "/repro";
        Directory.CreateDirectory(folder);
        var stem = string.Create(CultureInfo.InvariantCulture,
            $"{folder}/{Path.GetFileNameWithoutExtension(c.ConfigPath)}-{FaultInjection.Name(c.Fault)}-{c.Seed}-{c.FaultPick % 1_000_000:D6}-{(uint)c.Workload.GetHashCode(StringComparison.Ordinal):X8}");
        var p = injected.Program;
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"# {c.SeededWorkload} with {injected.Description} (hwgen fuzz)\n");
        for (var pc = 0; pc < p.Length; pc++)
        {
            var word = p.Dram.AsSpan(checked((int)(p.ProgramAddress + ((long)pc * IsaSpec.InstructionBytes))), IsaSpec.InstructionBytes);
            var insn = Instruction.Decode(word);
            text.Append(CultureInfo.InvariantCulture, $".word 0x{BinaryPrimitives.ReadUInt128LittleEndian(word):X32}  # {pc}: {(insn is null ? "undefined opcode" : Disassembler.Format(insn))}\n");
        }

        await File.WriteAllTextAsync(stem + ".s", text.ToString(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllBytesAsync(stem + ".bin", p.Dram, cancellationToken).ConfigureAwait(false);
        return $"./hwgen sim {c.ConfigPath} --program {stem}.s --memory {stem}.bin {c.MemoryArguments}";
    }

    private static readonly string[] Sizes = ["M", "N", "K", "rows", "cols", "seq"];

    private void Report(string line) => progress?.Report(line);
}
