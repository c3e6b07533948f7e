using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Golden;
using HwGen.Software.Programs;
using HwGen.Software.References;

namespace HwGen.Verif;

/// <summary>
/// Co-simulation of one design: builds (once, cached) the Verilator harness for its RTL folder,
/// then for each program runs the golden ISA simulator and the RTL on the same DRAM image and
/// compares the results bit for bit. One session can run many programs; it is safe to share
/// between tests (runs are independent processes).
/// </summary>
public sealed class CosimSession
{
    private readonly HarnessBuildOptions buildOptions;
    private readonly IProgress<string>? progress;
    private readonly Lazy<Task<HarnessBinary>> fast;
    private readonly Lazy<Task<HarnessBinary>> traced;

    /// <summary>Creates a session for <paramref name="design"/> rendered in <paramref name="rtlDirectory"/>.</summary>
    public CosimSession(DesignModel design, string rtlDirectory, HarnessBuildOptions? buildOptions = null, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentException.ThrowIfNullOrEmpty(rtlDirectory);
        Design = design;
        RtlDirectory = Path.GetFullPath(rtlDirectory);
        this.buildOptions = (buildOptions ?? new HarnessBuildOptions()) with { Trace = false };
        this.progress = progress;
        fast = new Lazy<Task<HarnessBinary>>(() => HarnessBuild.BuildAsync(RtlDirectory, this.buildOptions, this.progress));
        traced = new Lazy<Task<HarnessBinary>>(() => HarnessBuild.BuildAsync(RtlDirectory, this.buildOptions with { Trace = true }, this.progress));
    }

    /// <summary>The design under test.</summary>
    public DesignModel Design { get; }

    /// <summary>The rendered RTL folder.</summary>
    public string RtlDirectory { get; }

    /// <summary>Builds (or fetches from the cache) the harness; the tracing variant when <paramref name="trace"/> is set.</summary>
    public Task<HarnessBinary> PrepareAsync(bool trace = false, CancellationToken cancellationToken = default) =>
        (trace ? traced : fast).Value.WaitAsync(cancellationToken);

    /// <summary>
    /// Runs one program on the golden model and the RTL and compares them; the golden outputs are also checked against
    /// the untiled reference of the workload the program names (<see cref="UntiledReference.ForProgram"/>), if any.
    /// </summary>
    public Task<CosimReport> RunAsync(CompiledProgram program, CosimOptions? options = null, CancellationToken cancellationToken = default) =>
        RunAsync(program, options, UntiledReference.ForProgram(program ?? throw new ArgumentNullException(nameof(program))), cancellationToken);

    /// <summary>
    /// Runs one program on the golden model and the RTL, compares them, and checks the golden outputs against
    /// <paramref name="reference"/> (null: no reference, the report says so).
    /// </summary>
    public async Task<CosimReport> RunAsync(CompiledProgram program, CosimOptions? options, IReadOnlyList<ReferenceTensor>? reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(program);
        options ??= new CosimOptions();
        var binary = await PrepareAsync(options.TracePath is not null, cancellationToken).ConfigureAwait(false);

        var goldenTask = Task.Run(() => GoldenSimulator.Run(Design, program, options.GoldenInjectedError()), cancellationToken);
        var rtl = await HarnessRunner.RunAsync(binary, program.Dram, program.ProgramAddress, program.Length,
            options, cancellationToken).ConfigureAwait(false);
        var golden = await goldenTask.ConfigureAwait(false);

        var check = ReferenceCheck.Check(program, golden.Dram, golden.Ok, reference);
        var report = Compare(Design, program, golden, rtl, options, binary.Hash, check);
        if (options.DumpDirectory is not null)
        {
            NpyDump.Write(options.DumpDirectory, program, rtl.Dram, golden.Dram, report);
        }

        return report;
    }

    /// <summary>
    /// Builds the report from a golden result and an RTL result of the same program, and the check of the golden outputs
    /// against the untiled reference (null: not checked). A reference disagreement fails the run like an RTL one.
    /// </summary>
    public static CosimReport Compare(DesignModel design, CompiledProgram program, GoldenResult golden, HarnessResult rtl, CosimOptions options, string harnessHash,
        ReferenceCheckResult? reference = null)
    {
        reference ??= ReferenceCheckResult.NotChecked(ReferenceCheck.NoReference);
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(golden);
        ArgumentNullException.ThrowIfNull(rtl);
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var goldenFault = golden.Ok ? FaultInfo.None : new FaultInfo(golden.FaultValue, golden.FaultName, golden.FaultPc);
        var rtlFault = rtl.Status == SimStatus.Error ? FaultInfo.From(rtl.ErrorCode, rtl.ErrorPc) : FaultInfo.None;
        TensorMismatch? mismatch = null;
        bool match;

        if (rtl.Status is SimStatus.Timeout or SimStatus.Hang)
        {
            problems.Add(rtl.Status == SimStatus.Hang
                ? $"the RTL hung ({rtl.Reason}): {rtl.Stalled}"
                : $"the RTL did not finish: {rtl.Reason}; {rtl.Stalled}");
            match = false;
        }
        else if (golden.Ok)
        {
            if (rtl.Status == SimStatus.Error)
            {
                problems.Add($"the RTL stopped with {rtlFault.Name} (code {rtlFault.Code}) at instruction {rtlFault.Pc}; the golden model completed");
                match = false;
            }
            else
            {
                mismatch = FirstMismatch(program, golden.Dram, rtl.Dram);
                match = mismatch is null;
                CheckCounters(design, program, golden, rtl, problems);
            }
        }
        else
        {
            match = rtl.Status == SimStatus.Error && rtlFault.Code == goldenFault.Code && rtlFault.Pc == goldenFault.Pc;
            if (!match)
            {
                problems.Add(rtl.Status == SimStatus.Error
                    ? $"fault differs: golden {goldenFault.Name} (code {goldenFault.Code}) at instruction {goldenFault.Pc}, RTL {rtlFault.Name} (code {rtlFault.Code}) at instruction {rtlFault.Pc}"
                    : $"the golden model faulted with {goldenFault.Name} at instruction {goldenFault.Pc} ({golden.FaultDetail}); the RTL completed");
            }
            else if (golden.Fault is not (FaultCode.DmaReadError or FaultCode.DmaWriteError or FaultCode.FetchError))
            {
                // Precise faults: everything before the faulting instruction completed, so DRAM must agree too.
                mismatch = FirstMismatch(program, golden.Dram, rtl.Dram);
                match = mismatch is null;
            }
        }

        if (rtl.ProtocolViolationCount > 0)
        {
            match = false;
            problems.Add($"{rtl.ProtocolViolationCount} AXI protocol violation(s): {string.Join("; ", rtl.ProtocolViolations.Take(4))}");
        }

        if (rtl.Status is SimStatus.Done or SimStatus.Error)
        {
            CheckIdentity(design, rtl, problems);
            if (!rtl.Irq)
            {
                match = false;
                problems.Add("STATUS says the run ended but irq was never raised");
            }
        }

        if (mismatch is not null)
        {
            problems.Insert(0, mismatch.Tensor == "(dram)"
                ? $"DRAM byte 0x{mismatch.Address:X} (outside every output tensor) differs: expected 0x{mismatch.Expected:X2}, got 0x{mismatch.Actual:X2}; {mismatch.DifferingElements} byte(s) differ"
                : $"{mismatch.Tensor}[{mismatch.Row}, {mismatch.Col}] at 0x{mismatch.Address:X}: expected {mismatch.Expected}, got {mismatch.Actual}; {mismatch.DifferingElements} element(s) of {mismatch.Tensor} differ");
        }

        var disagreement = ReferenceCheck.Attribute(match, reference);
        if (reference.Match == false)
        {
            problems.Insert(0, reference.Note);
        }

        ulong C(string name) => rtl.Counters.TryGetValue(name, out var v) ? v : 0;
        var cycles = rtl.Cycles;
        var ideal = (double)program.Macs / design.Pes;
        UnitActivity Unit(string prefix) => new(C(prefix + "_busy"), C(prefix + "_wait"), cycles > 0 ? C(prefix + "_busy") / (double)cycles : 0);
        return new CosimReport
        {
            Config = design.Name,
            Workload = program.Workload,
            Match = match && reference.Match != false,
            RtlMatch = match,
            ReferenceMatch = reference.Match,
            ReferenceMismatch = reference.Mismatch,
            ReferenceNote = reference.Note,
            Disagreement = disagreement,
            Status = rtl.Status,
            Reason = rtl.Reason,
            Irq = rtl.Irq,
            Stalled = rtl.Stalled,
            UnitStatus = rtl.UnitStatus,
            Tokens = rtl.Tokens,
            GoldenFault = goldenFault,
            GoldenFaultDetail = golden.FaultDetail,
            RtlFault = rtlFault,
            Cycles = cycles,
            Macs = program.Macs,
            IdealCycles = ideal,
            Utilization = rtl.Status == SimStatus.Done && cycles > 0 ? ideal / cycles : 0,
            Counters = rtl.Counters,
            Units = new SortedDictionary<string, UnitActivity>(StringComparer.Ordinal)
            {
                ["load"] = Unit("load"),
                ["exec"] = Unit("exec"),
                ["store"] = Unit("store"),
            },
            DmaReadBytes = C("dma_read_bytes"),
            DmaWriteBytes = C("dma_write_bytes"),
            FetchBytes = C("fetch_bytes"),
            SimWallSeconds = rtl.WallSeconds,
            CyclesPerSecond = rtl.CyclesPerSecond,
            Mismatch = mismatch,
            Problems = problems,
            ComparedTensors = program.Outputs.Select(t => t.Name).ToArray(),
            Memory = options with { DumpDirectory = null },
            Axi = rtl.Axi,
            HarnessHash = harnessHash,
            Accuracy = KernelAccuracyResult.Measure(program, rtl.Status == SimStatus.Done ? rtl.Dram : golden.Dram),
            ExecCycles = rtl.Profile is null ? null : CycleBreakdown.From(rtl.Profile.Totals()),
            Profile = rtl.Profile,
        };
    }

    /// <summary>The first differing element of the output tensors (in program order), then of the rest of DRAM; null when identical.</summary>
    public static TensorMismatch? FirstMismatch(CompiledProgram program, byte[] expected, byte[] actual)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return null;
        }

        foreach (var t in program.Outputs)
        {
            if (TensorMismatch.First(t, t.Name, t.Read(expected), t.Read(actual)) is { } m)
            {
                return m;
            }
        }

        var length = Math.Min(expected.Length, actual.Length);
        var firstByte = -1L;
        long bytes = Math.Abs(expected.Length - actual.Length);
        for (var i = 0; i < length; i++)
        {
            if (expected[i] != actual[i])
            {
                bytes++;
                if (firstByte < 0)
                {
                    firstByte = i;
                }
            }
        }

        if (firstByte < 0)
        {
            firstByte = length;
        }

        return new TensorMismatch("(dram)", 0, (int)Math.Min(firstByte, int.MaxValue), firstByte,
            firstByte < expected.Length ? expected[firstByte] : -1, firstByte < actual.Length ? actual[firstByte] : -1, bytes);
    }

    private static void CheckCounters(DesignModel design, CompiledProgram program, GoldenResult golden, HarnessResult rtl, List<string> problems)
    {
        // counters.set: cycles builds only the cycle counter (the others read zero); counters.bits wraps them.
        if (!design.CountersAll)
        {
            return;
        }

        var mask = design.CounterBits >= 64 ? ulong.MaxValue : (1UL << design.CounterBits) - 1;
        void Expect(string counter, long value)
        {
            if (rtl.Counters.TryGetValue(counter, out var actual) && actual != ((ulong)value & mask))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"counter {counter} = {actual}, expected {value}"));
            }
        }

        Expect("instructions", program.Length);
        Expect("fetch_bytes", (long)program.Length * IsaSpec.InstructionBytes);
        Expect("macs", golden.Macs);
        Expect("dma_read_bytes", golden.DmaReadBytes);
        Expect("dma_write_bytes", golden.DmaWriteBytes);
    }

    private static void CheckIdentity(DesignModel design, HarnessResult rtl, List<string> problems)
    {
        if (rtl.HardwareId != IsaSpec.HardwareId)
        {
            problems.Add($"HW_ID = 0x{rtl.HardwareId:X8}, expected 0x{IsaSpec.HardwareId:X8}");
        }

        var config = IsaSpec.Register("HW_CONFIG").Compose(
            ("rows", design.Rows), ("cols", design.Cols), ("ws", design.SupportWs ? 1 : 0), ("os", design.SupportOs ? 1 : 0));
        if (rtl.HardwareConfig != config)
        {
            problems.Add($"HW_CONFIG = 0x{rtl.HardwareConfig:X8}, expected 0x{config:X8}");
        }
    }
}
