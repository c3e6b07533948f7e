using System.Globalization;
using System.Text.Json;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Software.Decode;
using HwGen.Verif;
using Spectre.Console;

namespace HwGen.Cli;

/// <summary>
/// <c>sim</c> of a big-little workload (<c>bild:small=gpt2-small,large=gpt2-medium,k=4,generate=32</c>): both decoders
/// co-simulated step by step against the golden model (each carrying its own image), the drafting and verification
/// rounds, then the large model's one-token baseline step; cycles per generated token for big-little against the large
/// model alone.
/// </summary>
internal static class BildSim
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Parses the workload and builds both decoders; null and the error when a parameter is bad.</summary>
    public static (BildSpec? Spec, string? Error) Parse(string workload, ulong? seed)
    {
        try
        {
            return (BildSpec.Parse(workload, seed is { } s ? checked((long)s) : null), null);
        }
        catch (Exception ex) when (ex is ArgumentException or OverflowException)
        {
            return (null, ex.Message);
        }
    }

    public static async Task<int> RunAsync(DesignModel design, string configArgument, BildSpec spec, CosimOptions options, FileInfo? json, CancellationToken cancel)
    {
        DecodeModel small, large;
        try
        {
            (small, large) = spec.CreateModels();

            // The largest steps at the last context: a step the design cannot take is an error before any simulation.
            var last = large.Context;
            DecodeCompiler.Compile(design, large, new DecodeShape([new SequenceStep(0, last - spec.K - 1, spec.K + 1, LogitRows.All)]));
            DecodeCompiler.Compile(design, small, new DecodeShape([new SequenceStep(0, last - 2, 2, LogitRows.Last)]));
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }

        var host = new BildHost(spec, small, large);
        var steps = new List<Step>();
        var (ok, done, exit) = await StepwiseSession.RunAsync(design, configArgument, (session, progress) =>
        {
            var sr = new Recorder(new CosimDecodeRunner(session, small, options, progress), "small", steps);
            var lr = new Recorder(new CosimDecodeRunner(session, large, options, progress), "large", steps);
            return host.RunAsync(sr, lr, baseline: true, cancel);
        }, cancel).ConfigureAwait(false);
        if (!ok)
        {
            return exit;
        }

        var summary = Summary(spec, host, steps, done);
        Print(steps);
        PrintSummary(spec, host, summary);
        if (json is not null && !await Outputs.OutputFiles.TryWriteAsync("--json", json.FullName, Serialize(design.Name, spec, host, steps, summary), cancel).ConfigureAwait(false))
        {
            return ExitCodes.BadInput;
        }

        var failed = steps.FirstOrDefault(x => !x.Report.Cosim.Match);
        return failed is not null ? ExitCodes.Of(failed.Report.Cosim) : done ? ExitCodes.Ok : ExitCodes.Mismatch;
    }

    private sealed record Step(string Model, string Role, DecodeStepReport Report);

    private sealed record Totals(int Generated, long DraftCycles, long VerifyCycles, long BaselineCycles, long PrefillCycles, bool Match)
    {
        public double PerToken => Generated > 0 ? (DraftCycles + VerifyCycles) / (double)Generated : 0;

        public double Speedup => PerToken > 0 ? BaselineCycles / PerToken : 0;
    }

    /// <summary>Keeps every step of both decoders in the order they ran.</summary>
    private sealed class Recorder(CosimDecodeRunner inner, string model, List<Step> log) : IDecodeRunner
    {
        public DecodeHistory History => inner.History;

        public async Task<long[][]?> StepAsync(DecodeShape shape, string role, CancellationToken cancellationToken = default)
        {
            var logits = await inner.StepAsync(shape, role, cancellationToken).ConfigureAwait(false);
            log.Add(new Step(model, role, inner.Run.Steps[^1]));
            return logits;
        }
    }

    private static Totals Summary(BildSpec spec, BildHost host, List<Step> steps, bool done)
    {
        long Sum(string role) => steps.Where(x => x.Role == role).Sum(x => x.Report.Cycles);
        return new Totals(Math.Max(0, host.Tokens.Count - spec.Prompt - 1), Sum("draft"), Sum("verify"), Sum("baseline"), Sum("prefill"), done && steps.All(x => x.Report.Cosim.Match));
    }

    private static void Print(List<Step> steps)
    {
        static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var table = new Table().AddColumns("model", "role", "shape", "rows", "fed → chosen", "cycles", "read B/cycle", "of bound", "result");
        foreach (var x in steps)
        {
            var r = x.Report;
            table.AddRow(x.Model, x.Role, r.Shape?.ToString() ?? string.Empty, r.Rows.ToString(CultureInfo.InvariantCulture),
                Markup.Escape($"{string.Join(' ', r.Fed.TakeLast(4))} → {string.Join(' ', r.Chosen.TakeLast(4))}"), N(r.Cycles),
                r.ReadBytesPerCycle.ToString("F2", CultureInfo.InvariantCulture), r.OfBound.ToString("P1", CultureInfo.InvariantCulture),
                Markup.Escape(r.Cosim.Match ? "PASS" : "FAIL: " + string.Join("; ", r.Cosim.Problems.Take(2))));
        }

        AnsiConsole.Write(table);
    }

    private static void PrintSummary(BildSpec spec, BildHost host, Totals t)
    {
        static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        AnsiConsole.MarkupLine((t.Match ? "[green]PASS[/] " : "[red]FAIL[/] ") + Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{spec.Text}: {t.Generated} tokens after the prefill in {host.Rounds.Count} rounds ({host.Rounds.Sum(r => r.Drafted)} drafted, {host.Rounds.Sum(r => r.Accepted)} kept: " +
            $"acceptance {host.AcceptanceRate:P1}; {host.Rounds.Count(r => r.RolledBack)} rollbacks, {host.Rounds.Count(r => r.FellBack)} fallbacks); " +
            $"draft {N(t.DraftCycles)} + verify {N(t.VerifyCycles)} cycles = {N(t.PerToken)} cycles per generated token against {N(t.BaselineCycles)} for the large model alone " +
            $"(one-token step at the final context): {t.Speedup:F2}x; every program bit-exact: {(t.Match ? "yes" : "no")}")));
    }

    private static string Serialize(string config, BildSpec spec, BildHost host, List<Step> steps, Totals t)
    {
        var doc = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["config"] = config,
            ["workload"] = spec.Text,
            ["match"] = t.Match,
            ["k"] = spec.K,
            ["generated_tokens"] = t.Generated,
            ["tokens"] = host.Tokens.Skip(spec.Prompt).ToList(),
            ["acceptance_rate"] = host.AcceptanceRate,
            ["draft_cycles"] = t.DraftCycles,
            ["verify_cycles"] = t.VerifyCycles,
            ["prefill_cycles"] = t.PrefillCycles,
            ["cycles_per_token"] = t.PerToken,
            ["large_alone_cycles_per_token"] = t.BaselineCycles,
            ["speedup"] = t.Speedup,
            ["rounds"] = host.Rounds.Select(r => new SortedDictionary<string, object>(StringComparer.Ordinal)
            {
                ["context"] = r.Context, ["drafted"] = r.Drafted, ["accepted"] = r.Accepted, ["fell_back"] = r.FellBack, ["rolled_back"] = r.RolledBack, ["tokens"] = r.Tokens,
            }).ToList(),
            ["steps"] = steps.Select(x => new SortedDictionary<string, object>(StringComparer.Ordinal)
            {
                ["model"] = x.Model, ["role"] = x.Role, ["shape"] = x.Report.Shape?.ToString() ?? string.Empty, ["rows"] = x.Report.Rows, ["context"] = x.Report.Context,
                ["cycles"] = x.Report.Cycles, ["match"] = x.Report.Cosim.Match, ["problems"] = x.Report.Cosim.Problems, ["fed"] = x.Report.Fed, ["chosen_tokens"] = x.Report.Chosen,
                ["bound_cycles"] = x.Report.BoundCycles, ["fraction_of_bound"] = x.Report.OfBound,
            }).ToList(),
        };
        return JsonSerializer.Serialize(doc, Indented) + "\n";
    }
}
