using System.Globalization;
using System.Text.Json;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Software.Decode;
using HwGen.Verif;
using Spectre.Console;

namespace HwGen.Cli;

/// <summary>
/// <c>sim</c> of a generation workload (<c>gpt2-small:prompt=128,generate=32</c>): the prefill and every decode step
/// co-simulated against the golden model (<see cref="DecodeCosim"/>), with a per-step table of cycles, DRAM bytes and
/// the roofline, and the JSON report.
/// </summary>
internal static class DecodeSim
{
    public static async Task<int> RunAsync(DesignModel design, string configArgument, DecodeModel model, CosimOptions options, FileInfo? json, string? plot, bool goldenPrefill,
        CancellationToken cancel)
    {
        try
        {
            // The last step has the longest context and the first the most rows: compile them first, so a step the design
            // cannot take is an error before any simulation.
            var schedule = DecodeCosim.Schedule(model);
            DecodeCompiler.Compile(design, model, schedule[^1]);
            DecodeCompiler.Compile(design, model, schedule.MaxBy(s => s.Rows)!);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }

        var (ok, report, exit) = await StepwiseSession.RunAsync(design, configArgument,
            (session, progress) => DecodeCosim.RunAsync(session, model, options, progress, goldenPrefill, cancel), cancel).ConfigureAwait(false);
        if (!ok)
        {
            return exit;
        }

        Print(report);
        if (json is not null && !await Outputs.OutputFiles.TryWriteAsync("--json", json.FullName, Serialize(report), cancel).ConfigureAwait(false))
        {
            return ExitCodes.BadInput;
        }

        var failed = report.Steps.FirstOrDefault(s => !s.Cosim.Match);
        var outcome = failed is null ? (report.Match ? ExitCodes.Ok : ExitCodes.Mismatch) : ExitCodes.Of(failed.Cosim);
        return plot is null || SavePlot(plot, report, json is not null) ? outcome : (outcome == ExitCodes.Ok ? ExitCodes.BadInput : outcome);
    }

    /// <summary>Cycles per decode step against the context (<c>--plot</c>), written last so the report and JSON above are kept.</summary>
    private static bool SavePlot(string path, DecodeReport report, bool json)
    {
        try
        {
            // The argument check removed any folders it created for its probe; create them for real now.
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            HwGen.Report.DecodePlot.Save(path, report);
            AnsiConsole.MarkupLineInterpolated($"plot: {path}");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"error: --plot {path}: {ex.Message} (the report{(json ? " and JSON" : "")} above {(json ? "are" : "is")} complete)");
            return false;
        }
    }

    private static void Print(DecodeReport r)
    {
        static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        static string P(double v) => v.ToString("P1", CultureInfo.InvariantCulture);
        static string K(long bytes) => (bytes / 1024.0).ToString("N0", CultureInfo.InvariantCulture);
        var table = new Table().AddColumns("step", "rows", "ctx", "token", "cycles", "KiB read w/cache/act/prog", "KiB written cache/act", "read B/cycle",
            "bound cycles", "of bound", "result");
        foreach (var s in r.Steps)
        {
            var t = s.Traffic;
            table.AddRow((s.Step < 0 ? "" : s.Step.ToString(CultureInfo.InvariantCulture) + " ") + s.Kind, s.Rows.ToString(CultureInfo.InvariantCulture), s.Context.ToString(CultureInfo.InvariantCulture),
                (s.Input < 0 ? "" : s.Input.ToString(CultureInfo.InvariantCulture)) + "→" + s.Next.ToString(CultureInfo.InvariantCulture),
                N(s.Cycles), $"{K(t.WeightBytes)}/{K(t.CacheReadBytes)}/{K(t.ActivationReadBytes)}/{K(t.ProgramBytes)}", $"{K(t.CacheWriteBytes)}/{K(t.ActivationWriteBytes)}",
                $"{s.ReadBytesPerCycle.ToString("F2", CultureInfo.InvariantCulture)} of {s.AxiBytesPerBeat.ToString(CultureInfo.InvariantCulture)}",
                $"{N(s.BoundCycles)} {s.Bound[..2]}", P(s.OfBound), Markup.Escape(s.Cosim.Match ? "PASS" : "FAIL: " + string.Join("; ", s.Cosim.Problems.Take(2))));
        }

        AnsiConsole.Write(table);
        if (r.DecodeSteps.LastOrDefault()?.Operations is { } ops)
        {
            ReportPrinter.PrintLayer(ops, "the last decode step, summed over its layers and heads");
        }

        if (r.Note is not null)
        {
            AnsiConsole.MarkupLine("[red]FAIL[/] " + Markup.Escape(r.Note));
        }

        var ratio = r.CyclesPerToken > 0 ? r.BoundCyclesPerToken / r.CyclesPerToken : 0;
        AnsiConsole.MarkupLine((r.Match ? "[green]PASS[/] " : "[red]FAIL[/] ") + Markup.Escape(
            $"{r.Workload} on {r.Config}: {r.Tokens} tokens from {r.DecodeSteps.Count()} decode steps of {N(r.CyclesPerStep)} cycles, {N(r.CyclesPerToken)} cycles per token " +
            $"(roofline bound {N(r.BoundCyclesPerToken)}: {P(ratio)} of it; {r.DecodeSteps.LastOrDefault()?.Bound ?? "no"}-bound, array {P(r.DecodeSteps.Any() ? r.DecodeSteps.Average(s => s.Utilization) : 0)} busy); " +
            (r.GoldenPrefills > 0 ? $"prefill on the golden model only ({r.GoldenPrefills} program(s), not timed); " : $"prefill {N(r.PrefillCycles)} cycles; ") +
            $"cache rows and logits bit-exact at every step: {(r.Match ? "yes" : "no")}"));
    }

    /// <summary>The JSON report: totals, then one object per program.</summary>
    public static string Serialize(DecodeReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var doc = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["config"] = r.Config,
            ["workload"] = r.Workload,
            ["match"] = r.Match,
            ["tokens"] = r.Tokens,
            ["cycles_per_step"] = r.CyclesPerStep,
            ["prefill_cycles"] = r.PrefillCycles,
            ["golden_prefills"] = r.GoldenPrefills,
            ["cycles_per_token"] = r.CyclesPerToken,
            ["bound_cycles_per_token"] = r.BoundCyclesPerToken,
            ["chosen_tokens"] = r.Chosen,
            ["steps"] = r.Steps.Select(s => new SortedDictionary<string, object>(StringComparer.Ordinal)
            {
                ["step"] = s.Step,
                ["kind"] = s.Kind,
                ["rows"] = s.Rows,
                ["shape"] = s.Shape?.ToString() ?? string.Empty,
                ["utilization"] = s.Utilization,
                ["chosen_tokens"] = s.Chosen,
                ["context"] = s.Context,
                ["input_token"] = s.Input,
                ["next_token"] = s.Next,
                ["match"] = s.Cosim.Match,
                ["problems"] = s.Cosim.Problems,
                ["cycles"] = s.Cycles,
                ["macs"] = s.Cosim.Macs,
                ["bytes"] = new SortedDictionary<string, long>(StringComparer.Ordinal)
                {
                    ["weights_read"] = s.Traffic.WeightBytes,
                    ["cache_read"] = s.Traffic.CacheReadBytes,
                    ["activations_read"] = s.Traffic.ActivationReadBytes,
                    ["cache_written"] = s.Traffic.CacheWriteBytes,
                    ["activations_written"] = s.Traffic.ActivationWriteBytes,
                    ["program"] = s.Traffic.ProgramBytes,
                    ["dma_read_measured"] = (long)s.Cosim.DmaReadBytes,
                    ["dma_write_measured"] = (long)s.Cosim.DmaWriteBytes,
                },
                ["axi_bytes_per_beat"] = s.AxiBytesPerBeat,
                ["read_bytes_per_cycle"] = s.ReadBytesPerCycle,
                ["compute_bound_cycles"] = s.ComputeBoundCycles,
                ["bandwidth_bound_cycles"] = s.BandwidthBoundCycles,
                ["bound_cycles"] = s.BoundCycles,
                ["bound"] = s.Bound,
                ["fraction_of_bound"] = s.OfBound,
                ["operations"] = (object?)s.Operations ?? Array.Empty<object>(),
            }).ToList(),
        };
        return JsonSerializer.Serialize(doc, CosimReportJson.Options) + "\n";
    }
}
