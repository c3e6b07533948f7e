using System.Globalization;
using HwGen.Generator.Design;
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
        var verdict = r switch
        {
            { Status: SimStatus.Hang } => "[red]HANG[/] (watchdog: no unit made progress)",
            { Status: SimStatus.Timeout } => "[red]TIMEOUT[/]",
            { Match: false } => "[red]MISMATCH[/]",
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
        t.AddRow("Instruction fetch bytes", N(r.FetchBytes));
        t.AddRow("Simulator speed", $"{N(r.CyclesPerSecond)} cycles/s ({r.SimWallSeconds:0.00} s)");
        foreach (var a in r.Accuracy)
        {
            t.AddRow($"{a.Kernel} accuracy ({a.Tensor}, vs exact float)",
                string.Create(CultureInfo.InvariantCulture, $"max {a.MaxAbs:G4} ({a.MaxAbsLsb:F2} LSB), RMS {a.Rms:G4} ({a.RmsLsb:F2} LSB), LSB {a.OutputScale:G4}"));
        }

        AnsiConsole.Write(t);
        if (tracePath is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"waveform: {tracePath}");
        }

        if (dumpDir is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"tensors and meta.json: {dumpDir}");
        }
    }
}
