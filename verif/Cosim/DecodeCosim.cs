using HwGen.Software.Decode;
using HwGen.Software.Golden;
using HwGen.Software.Programs;

namespace HwGen.Verif;

/// <summary>
/// Co-simulates a generation step by step (any <see cref="DecodeShape"/>: the prefill, chunks, batched steps, drafted
/// tokens and rollbacks through <see cref="History"/>). The RTL and the golden model each carry their own DRAM image
/// from program to program (<see cref="DecodeHost.Carry"/>); the host reads the golden logits, chooses the next tokens
/// (greedy) and writes their embeddings into both images. Every program's whole image (cache rows, logits and all) is
/// compared bit for bit; a run stops at the first disagreement.
/// </summary>
public sealed partial class DecodeCosim
{
    private readonly CosimSession session;
    private readonly DecodeModel model;
    private readonly CosimOptions options;
    private byte[]? golden, rtl;

    private DecodeCosim(CosimSession session, DecodeModel model, CosimOptions options) => (this.session, this.model, this.options) = (session, model, options);

    /// <summary>The host's tokens and cache lengths.</summary>
    public DecodeHistory History { get; private set; } = null!;

    /// <summary>The design.</summary>
    public Generator.Design.DesignModel Design => session.Design;

    /// <summary>The decoder.</summary>
    public DecodeModel Model => model;

    /// <summary>The golden image the last step left.</summary>
    public byte[]? GoldenDram => golden;

    /// <summary>The steps run so far.</summary>
    public List<DecodeStepReport> Steps { get; } = [];

    /// <summary>
    /// Prefill programs (the prompt, or its chunks) run on the golden model only, and the RTL starts each decode step
    /// from the golden model's image (<c>sim --golden-prefill</c>, for long contexts whose prefill would take the
    /// simulator an hour; the prefill itself is the layer program every layer test co-simulates). Zero when off.
    /// </summary>
    public int GoldenPrefills { get; private set; }

    /// <summary>A co-simulation of <paramref name="model"/> on <paramref name="session"/>'s design, before its first step.</summary>
    public static DecodeCosim Start(CosimSession session, DecodeModel model, CosimOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(model);
        return new DecodeCosim(session, model, options ?? new CosimOptions()) { History = new DecodeHistory(model) };
    }

    /// <summary>
    /// Runs <paramref name="model"/>'s automatic schedule; <paramref name="progress"/> hears each program's name. With
    /// <paramref name="goldenPrefill"/> the prefill programs run on the golden model only (<see cref="PrefillOnGolden"/>).
    /// </summary>
    public static async Task<DecodeReport> RunAsync(CosimSession session, DecodeModel model, CosimOptions? options = null, IProgress<string>? progress = null,
        bool goldenPrefill = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var run = Start(session, model, options);
        var schedule = Schedule(model);
        var programs = goldenPrefill ? schedule.Count(s => s.IsDecode) : schedule.Count;
        while (run.History.Next() is { } shape)
        {
            if (goldenPrefill && !shape.IsDecode)
            {
                if (run.PrefillOnGolden(shape, progress) is { } fault)
                {
                    return new DecodeReport(session.Design.Name, model.Name, run.Steps, programs) { GoldenPrefills = run.GoldenPrefills, Note = fault };
                }

                continue;
            }

            if (!(await run.StepAsync(shape, progress, cancellationToken).ConfigureAwait(false)).Cosim.Match)
            {
                break;
            }
        }

        return new DecodeReport(session.Design.Name, model.Name, run.Steps, programs) { GoldenPrefills = run.GoldenPrefills };
    }

    /// <summary>
    /// Runs a prefill program on the golden model alone and hands its image to both sides; null, or the golden model's
    /// fault (then nothing changes).
    /// </summary>
    public string? PrefillOnGolden(DecodeShape shape, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var d = session.Design;
        var program = DecodeCompiler.Compile(d, model, shape).Program;
        progress?.Report(program.Workload + " (golden model only)");
        var fed = History.Feed(shape);
        var image = Image(golden, program, shape, fed);
        var g = GoldenSimulator.Run(d, image, program.ProgramAddress, program.Length);
        if (!g.Ok)
        {
            return $"the golden model faulted on {program.Workload}: {g.FaultDetail}";
        }

        History.Advance(shape, DecodeHost.Logits(program, g.Dram, shape.LogitCount));
        // Both sides start the next step from this image (each step copies what it carries: DecodeHost.Carry).
        (golden, rtl) = (g.Dram, g.Dram);
        GoldenPrefills++;
        return null;
    }

    /// <summary>
    /// The step's per-operation view (<see cref="LayerReport"/>) from the RTL run's profile, with the performance model's
    /// estimate at the run's read latency. The layer prefix is dropped from the names, so each kind (<c>q_proj</c>,
    /// <c>qk_softmax</c>, …) is one row summed over the layers and heads.
    /// </summary>
    private LayerReport Operations(Software.Layers.CompiledLayer compiled, CosimReport report)
    {
        var d = session.Design;
        var modelled = compiled.ModelledCycles(d, new Software.Performance.PerfParameters(MemoryLatency: options.ReadLatency)).Select(m => m.Cycles).ToList();
        var ops = compiled.Ops.Select(o => o with { Name = LayerPrefix().Replace(o.Name, string.Empty) }).ToList();
        return LayerReport.Build(compiled.Program.Workload, d.Pes, ops, modelled, report, compiled.Program.Length, compiled.OpOf);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(D\.)?L[0-9]+\.", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex LayerPrefix();

    /// <summary>A program's starting image: its own, or the tensors <paramref name="carried"/> from the last step; the fed tokens' embeddings written in.</summary>
    private byte[] Image(byte[]? carried, CompiledProgram program, DecodeShape shape, int[] fed)
    {
        var image = carried is null ? program.Dram.ToArray() : DecodeHost.Carry(carried, program);
        DecodeHost.Feed(model, shape, program, image, fed);
        return image;
    }

    /// <summary>The automatic schedule's steps (they do not depend on the tokens chosen).</summary>
    public static IReadOnlyList<DecodeShape> Schedule(DecodeModel model)
    {
        var history = new DecodeHistory(model);
        var list = new List<DecodeShape>();
        while (history.Next() is { } shape)
        {
            list.Add(shape);
            history.Advance(shape, Enumerable.Range(0, shape.LogitCount).Select(_ => new long[1]).ToList());
        }

        return list;
    }

    /// <summary>Runs one step on the RTL and the golden model and compares the images; after a mismatch the images stay as they were.</summary>
    public async Task<DecodeStepReport> StepAsync(DecodeShape shape, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var d = session.Design;
        var binary = await session.PrepareAsync(false, cancellationToken).ConfigureAwait(false);
        var compiled = DecodeCompiler.Compile(d, model, shape);
        var program = compiled.Program;
        progress?.Report(program.Workload);
        var fed = History.Feed(shape);
        var (goldenImage, rtlImage) = (Image(golden, program, shape, fed), Image(rtl, program, shape, fed));
        var goldenTask = Task.Run(() => GoldenSimulator.Run(d, goldenImage, program.ProgramAddress, program.Length), cancellationToken);
        var run = await HarnessRunner.RunAsync(binary, rtlImage, program.ProgramAddress, program.Length, options, cancellationToken).ConfigureAwait(false);
        var g = await goldenTask.ConfigureAwait(false);
        var report = CosimSession.Compare(d, program with { Dram = goldenImage }, g, run, options, binary.Hash);
        var logits = g.Ok ? DecodeHost.Logits(program, g.Dram, shape.LogitCount) : [];
        int[] chosen = [];
        if (report.Match)
        {
            chosen = History.Advance(shape, logits);
            (golden, rtl) = (g.Dram, run.Dram);
        }

        var index = Steps.Count + GoldenPrefills;
        var step = new DecodeStepReport(model.Whole ? index - 1 : index, shape.Context, fed.Length > 0 ? fed[^1] : -1, chosen.Length > 0 ? chosen[^1] : -1, report,
            DecodeTraffic.Of(program), d.AxiDataBits / 8, d.Pes)
        {
            Shape = shape, Fed = fed, Logits = logits, Chosen = chosen, Operations = Operations(compiled, report),
        };
        Steps.Add(step);
        return step;
    }
}
