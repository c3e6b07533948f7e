using System.Globalization;
using System.Text.Json;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Spectre.Console;

namespace HwGen.Cli;

/// <summary>
/// <c>sim --prune-tokens</c>: a layer stack co-simulated one program per layer with token pruning
/// (<see cref="TokenPruneCosim"/>), and the same stack unpruned the same way; every layer bit-exact against the golden
/// model and the untiled reference of the pruned stack; a per-layer table of tokens, MACs, cycles and speedup.
/// </summary>
internal static class TokenPruneSim
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Prints a one-line error; exit 2.</summary>
    public static int Refuse(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.BadInput;
    }

    public static async Task<int> RunAsync(DesignModel design, string configArgument, string? workload, string prune, CosimOptions options, FileInfo? json, CancellationToken cancel)
    {
        IReadOnlyList<QuantizedLayer> stack;
        TokenPruning plan;
        try
        {
            var spec = WorkloadSpec.Parse(workload ?? throw new FormatException("--prune-tokens needs --workload naming a layer stack (e.g. bert-tiny:seq=32,layers=4)"));
            stack = LayerCompiler.Stack(spec);
            plan = TokenPruning.Parse(prune, stack.Count);
            new TokenPruneChain(design, stack, plan).Next();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return Refuse(ex.Message);
        }

        TokenPruneReport pruned, unpruned;
        try
        {
            var (ok, runs, exit) = await StepwiseSession.RunAsync(design, configArgument, async (session, progress) =>
            {
                var p = await TokenPruneCosim.RunAsync(session, stack, plan, options, progress, cancel).ConfigureAwait(false);
                var u = await TokenPruneCosim.RunAsync(session, stack, TokenPruning.None, options, progress, cancel).ConfigureAwait(false);
                return (p, u);
            }, cancel).ConfigureAwait(false);
            if (!ok)
            {
                return exit;
            }

            (pruned, unpruned) = runs;
        }
        catch (ArgumentException ex)
        {
            // A later layer's program (a gathered input) that the design cannot map.
            return Refuse(ex.Message);
        }

        var complete = pruned.Match && unpruned.Match;
        var reference = complete ? TokenPruneReference.Check(pruned.Layers, stack, plan) ?? TokenPruneReference.Check(unpruned.Layers, stack, TokenPruning.None) : null;
        Print(workload!, plan, pruned, unpruned, reference);
        if (json is not null && !await Outputs.OutputFiles.TryWriteAsync("--json", json.FullName, Serialize(workload!, plan, pruned, unpruned, reference), cancel).ConfigureAwait(false))
        {
            return ExitCodes.BadInput;
        }

        var failed = pruned.Programs.Concat(unpruned.Programs).FirstOrDefault(p => !p.Match);
        return failed is not null ? ExitCodes.Of(failed) : reference is null ? ExitCodes.Ok : ExitCodes.Mismatch;
    }

    private static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string Speedup(long before, long after) => after == 0 ? "-" : (before / (double)after).ToString("F2", CultureInfo.InvariantCulture) + "x";

    private static void Print(string workload, TokenPruning plan, TokenPruneReport pruned, TokenPruneReport unpruned, string? reference)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumns("layer", "tokens", "kept after", "threshold", "MACs", "unpruned MACs", "cycles", "unpruned cycles", "speedup", "host bytes read");
        foreach (var (p, u) in pruned.Layers.Zip(unpruned.Layers))
        {
            table.AddRow(p.Layer.ToString(inv), p.Tokens.Count.ToString(inv), p.Kept.Count.ToString(inv), p.Threshold?.ToString("F4", inv) ?? "", N(p.Macs), N(u.Macs),
                N(p.Cycles), N(u.Cycles), Speedup(u.Cycles, p.Cycles), N(p.HostBytesRead));
        }

        AnsiConsole.Write(table);
        var (pc, uc) = (pruned.Layers.Sum(l => l.Cycles), unpruned.Layers.Sum(l => l.Cycles));
        var (pm, um) = (pruned.Layers.Sum(l => l.Macs), unpruned.Layers.Sum(l => l.Macs));
        var ok = pruned.Match && unpruned.Match && reference is null;
        AnsiConsole.MarkupLine((ok ? "[green]PASS[/] " : "[red]FAIL[/] ") + Markup.Escape(
            $"{workload} --prune-tokens {plan}: {N(pm)} MACs ({Speedup(um, pm)} fewer), {N(pc)} cycles against {N(uc)} unpruned (speedup {Speedup(uc, pc)}); " +
            $"host read {N(pruned.HostBytesRead)} bytes from DRAM (P of each pruning layer; the kept rows are gathered on the accelerator); " +
            $"RTL = golden model for every program: {(pruned.Match && unpruned.Match ? "yes" : "no")}; " +
            $"untiled reference of the pruned stack: {(reference is null ? (pruned.Match && unpruned.Match ? "equal" : "not checked") : reference)}"));
        foreach (var p in pruned.Programs.Concat(unpruned.Programs).Where(p => !p.Match))
        {
            AnsiConsole.MarkupLine("[red]" + Markup.Escape(string.Join("; ", p.Problems.Take(3))) + "[/]");
        }
    }

    private static string Serialize(string workload, TokenPruning plan, TokenPruneReport pruned, TokenPruneReport unpruned, string? reference)
    {
        static List<SortedDictionary<string, object?>> Layers(TokenPruneReport r) => r.Layers.Select(l => new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["layer"] = l.Layer, ["tokens"] = l.Tokens, ["kept"] = l.Kept, ["threshold"] = l.Threshold, ["macs"] = l.Macs, ["cycles"] = l.Cycles,
            ["host_bytes_read"] = l.HostBytesRead,
        }).ToList();
        var doc = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["workload"] = workload,
            ["prune_tokens"] = plan.ToString(),
            ["match"] = pruned.Match && unpruned.Match,
            ["reference"] = reference ?? "equal",
            ["host_bytes_read"] = pruned.HostBytesRead,
            ["pruned"] = Layers(pruned),
            ["unpruned"] = Layers(unpruned),
        };
        return JsonSerializer.Serialize(doc, Indented) + "\n";
    }
}
