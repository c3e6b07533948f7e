using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Software.Layers;
using HwGen.Software.Programs;
using HwGen.Verif;
using Spectre.Console;

namespace HwGen.Cli;

/// <summary>Prints a co-simulation report for people; the JSON is the machine-readable form.</summary>
internal static class ReportPrinter
{
    private static string N(double v) => v.ToString("#,0", CultureInfo.InvariantCulture);

    private static string N(ulong v) => v.ToString("#,0", CultureInfo.InvariantCulture);

    public static void Print(DesignModel design, CompiledProgram program, CosimReport r, string? tracePath, string? dumpDir)
    {
        // A file or pipe has no width: do not squash the per-operation table into 80 columns.
        if (Console.IsOutputRedirected && AnsiConsole.Profile.Width < 160)
        {
            AnsiConsole.Profile.Width = 160;
        }

        var verdict = r switch
        {
            { Status: SimStatus.Hang } => "[red]HANG[/] (watchdog: no unit made progress)",
            { Status: SimStatus.Timeout } => "[red]TIMEOUT[/]",
            { Disagreement: Disagreement.GoldenVsReference } => "[red]MISMATCH[/] golden vs reference (a compiler bug; the RTL follows the golden model)",
            { Disagreement: Disagreement.Both } => "[red]MISMATCH[/] RTL vs golden and golden vs reference",
            { Match: false } => "[red]MISMATCH[/] RTL vs golden (an RTL bug)",
            { GoldenFault.Code: not 0 } => $"[yellow]FAULT[/] {Markup.Escape(r.GoldenFault.Name)} (code {r.GoldenFault.Code}) at instruction {r.GoldenFault.Pc}; RTL and golden agree, irq raised: {(r.Irq ? "yes" : "no")}",
            _ => "[green]PASS[/] (bit-exact)",
        };
        AnsiConsole.MarkupLine($"{Markup.Escape(r.Workload)} on [bold]{Markup.Escape(design.Name)}[/] ({design.Rows}x{design.Cols}, {program.Length} instructions): {verdict}");
        if (r.GoldenFault.Code != 0)
        {
            AnsiConsole.MarkupLineInterpolated($"  golden model: {r.GoldenFault.Name} at instruction {r.GoldenFault.Pc}: {r.GoldenFaultDetail}");
            AnsiConsole.MarkupLineInterpolated($"  RTL: ERR_CODE {r.RtlFault.Code} ({r.RtlFault.Name}), ERR_PC {r.RtlFault.Pc}, irq {(r.Irq ? "raised" : "not raised")}");
        }

        foreach (var problem in r.Problems)
        {
            AnsiConsole.MarkupLineInterpolated($"  [red]{problem}[/]");
        }

        if (r.ReferenceMatch != false)
        {
            AnsiConsole.MarkupLineInterpolated($"  reference: {r.ReferenceNote}");
        }

        var t = new Table().AddColumns("Metric", "Value");
        t.AddRow("Cycles", N(r.Cycles));
        t.AddRow("MACs", N(r.Macs));
        t.AddRow("Ideal cycles (MACs / PEs)", N(r.IdealCycles));
        t.AddRow("Utilization", r.Utilization.ToString("P1", CultureInfo.InvariantCulture));
        if (r.Counters.TryGetValue("array_active", out var active) && r.Cycles > 0)
        {
            t.AddRow("Array active cycles", $"{N(active)} ({(double)active / r.Cycles:P1})");
        }

        foreach (var (unit, a) in r.Units)
        {
            t.AddRow($"{unit} busy / wait", $"{N(a.Busy)} / {N(a.Wait)} ({a.BusyFraction:P1} busy)");
        }

        t.AddRow("DMA read / write bytes", $"{N(r.DmaReadBytes)} / {N(r.DmaWriteBytes)}");
        if (r.Layer is null)
        {
            t.AddRow("DRAM input tensors (useful bytes)", string.Join(", ", program.Tensors.Where(x => x.Role == TensorRole.Input)
                .Select(x => $"{x.Name} {x.Rows}x{x.Cols} {x.Dtype.ToString().ToLowerInvariant()} {N((double)(x.Rows * x.RowBytes(x.Cols)))} B")));
        }

        t.AddRow("Instruction fetch bytes", N(r.FetchBytes));
        t.AddRow("Simulator speed", $"{N(r.CyclesPerSecond)} cycles/s ({r.SimWallSeconds:0.00} s)");
        if (r.ExecCycles is { } exec && r.Layer is null && exec.Total > 0)
        {
            t.AddRow("Array idle cycles by cause", string.Join(", ", ExecCauses.Idle.Where(c => exec.Get(c) > 0)
                .Select(c => $"{ExecCauses.Label(c)} {N(exec.Get(c))} ({(double)exec.Get(c) / exec.Total:P1})")));
        }

        foreach (var a in r.Accuracy.Where(a => a.Kernel != LayerRun.Kernel))
        {
            t.AddRow($"{a.Kernel} accuracy ({a.Tensor}, vs exact float)",
                string.Create(CultureInfo.InvariantCulture, $"max {a.MaxAbs:G4} ({a.MaxAbsLsb:F2} LSB), RMS {a.Rms:G4} ({a.RmsLsb:F2} LSB), LSB {a.OutputScale:G4}"));
        }

        AnsiConsole.Write(t);
        if (r.Layer is { } layer)
        {
            PrintLayer(layer);
            PrintAttention(layer.Attention);
        }

        var layerAccuracy = r.Accuracy.Where(a => a.Kernel == LayerRun.Kernel).ToList();
        if (layerAccuracy.Count > 0)
        {
            PrintLayerAccuracy(layerAccuracy);
        }

        if (tracePath is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"waveform: {tracePath}");
        }

        if (dumpDir is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"tensors and meta.json: {dumpDir}");
        }
    }

    /// <summary>The per-operation table: cycles from the one RTL run, the model's estimate, MACs, utilization, and the array's busy and idle cycles by cause.</summary>
    internal static void PrintLayer(LayerReport layer, string? what = null)
    {
        AnsiConsole.MarkupLineInterpolated($"[bold]Per operation[/] ({what ?? layer.Layer}; cycles attributed to the operation the execute unit works on or waits to start):");
        var t = new Table().AddColumn("Operation").AddColumn(new TableColumn("Cycles").RightAligned()).AddColumn(new TableColumn("Model").RightAligned())
            .AddColumn(new TableColumn("MACs").RightAligned()).AddColumn(new TableColumn("Util.").RightAligned());
        foreach (var cause in ExecCauses.All)
        {
            var header = cause == ExecCause.ArrayActive ? "Array\nbusy" : "Idle:\n" + ExecCauses.Label(cause).Replace("/", "/\n", StringComparison.Ordinal);
            t.AddColumn(new TableColumn(new Text(header)).RightAligned());
        }

        void Add(string name, long cycles, long? modelled, long macs, double utilization, CycleBreakdown b, bool bold)
        {
            var cells = new List<string>
            {
                name,
                N(cycles),
                modelled is { } m ? N(m) : "-",
                Short(macs),
                utilization.ToString("P1", CultureInfo.InvariantCulture),
            };
            cells.AddRange(ExecCauses.All.Select(c => b.Get(c) == 0 ? "0" : N(b.Get(c))));
            t.AddRow(cells.Select(c => bold ? $"[bold]{Markup.Escape(c)}[/]" : Markup.Escape(c)).ToArray());
        }

        foreach (var op in layer.Operations)
        {
            Add(op.Count > 1 ? $"{op.Name} (x{op.Count})" : op.Name, op.Cycles, op.ModelledCycles, op.Macs, op.Utilization, op.Breakdown, false);
        }

        Add("total", layer.Cycles, layer.ModelledCycles, layer.Operations.Sum(o => o.Macs), layer.Utilization, layer.Breakdown, true);
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"  ideal cycles {N(layer.IdealCycles)}, utilization {layer.Utilization:P1}, array busy {(layer.Cycles > 0 ? (double)layer.Breakdown.ArrayActive / layer.Cycles : 0):P1}; simulator {layer.SimWallSeconds:0.00} s wall ({N(layer.CyclesPerSecond)} cycles/s)"));
    }

    /// <summary>Most heads listed one by one (the rest are summed).</summary>
    private const int AttentionRows = 16;

    /// <summary>The attention view: per head, QKᵀ and P·V array cycles, the Softmax's busy cycles and how much of them the array hid.</summary>
    private static void PrintAttention(IReadOnlyList<AttentionHeadReport> heads)
    {
        if (heads.Count == 0)
        {
            return;
        }

        AnsiConsole.MarkupLine("[bold]Attention per head[/] (array cycles of QKᵀ and P·V; store-unit cycles of the Softmax, and those in which the array also took rows):");
        var t = new Table().AddColumn("Head");
        foreach (var h in new[] { "QKᵀ array", "Softmax", "Softmax under array", "Overlap", "P·V array" })
        {
            t.AddColumn(new TableColumn(h).RightAligned());
        }

        void Add(AttentionHeadReport h, bool bold)
        {
            string[] cells = [h.Head, N(h.QkArrayCycles), N(h.SoftmaxCycles), N(h.SoftmaxOverlapped), h.Overlap.ToString("P1", CultureInfo.InvariantCulture), N(h.PvArrayCycles)];
            t.AddRow(cells.Select(c => bold ? $"[bold]{Markup.Escape(c)}[/]" : Markup.Escape(c)).ToArray());
        }

        foreach (var h in heads.Take(AttentionRows))
        {
            Add(h, false);
        }

        var total = new AttentionHeadReport(heads.Count > AttentionRows ? $"total ({heads.Count} heads)" : "total", heads.Sum(h => h.QkArrayCycles), heads.Sum(h => h.SoftmaxCycles),
            heads.Sum(h => h.SoftmaxOverlapped), heads.Sum(h => h.PvArrayCycles));
        Add(total, true);
        AnsiConsole.Write(t);
    }

    private static void PrintLayerAccuracy(IReadOnlyList<KernelAccuracyResult> accuracy)
    {
        AnsiConsole.MarkupLine("[bold]Accuracy[/] (RTL output against the float layer on the dequantized int8 or int4 weights; with wbits=4 this leaves out the weights' own rounding, docs/performance.md):");
        var t = new Table().AddColumn("Tensor").AddColumn(new TableColumn("Cosine").RightAligned()).AddColumn(new TableColumn("Max abs error").RightAligned())
            .AddColumn(new TableColumn("Max abs (LSB)").RightAligned()).AddColumn(new TableColumn("RMS (LSB)").RightAligned()).AddColumn(new TableColumn("LSB").RightAligned());
        foreach (var a in accuracy)
        {
            t.AddRow(a.Tensor, a.Cosine.ToString("F5", CultureInfo.InvariantCulture), a.MaxAbs.ToString("G4", CultureInfo.InvariantCulture),
                a.MaxAbsLsb.ToString("F2", CultureInfo.InvariantCulture), a.RmsLsb.ToString("F2", CultureInfo.InvariantCulture), a.OutputScale.ToString("G4", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(t);
    }

    private static string Short(long v) => v >= 1_000_000
        ? (v / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + " M"
        : v >= 10_000 ? (v / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + " k" : v.ToString(CultureInfo.InvariantCulture);
}
