using System.CommandLine;
using HwGen.Models;
using HwGen.Software.Layers;

namespace HwGen.Cli;

/// <summary>
/// The <c>prune</c> command (first step of the post-training pruner, docs/pruning.md): the Fisher information of every
/// head and filter mask of a post-LN encoder on calibration sentences, and the masks that keep a fraction of its MACs,
/// written as the JSON <c>run --prune-masks</c> reads.
/// </summary>
internal static class PruneCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model name (minilm) or path to a BERT-family ONNX file (with vocab.txt beside it).", DefaultValueFactory = _ => ModelStore.MiniLm };
        var macs = new Option<double?>("--macs") { Description = "Fraction of the model's MACs to keep (at the sample's mean sentence length), e.g. 0.6 for 40 % fewer." };
        var cycles = new Option<double?>("--cycles") { Description = "Fraction of the unpruned model's modelled cycles to keep (the performance model of --config on the sample, packed as run packs it), e.g. 0.6." };
        var config = new Option<FileInfo?>("--config") { Description = "The accelerator's configuration: the search prices heads and filters in its modelled cycles and removes filters in whole array tiles (hardware-aware masks; needed by --cycles)." };
        var batchTokens = new Option<int>("--batch-tokens") { Description = "With --config: pack the sample into batches of at most this many tokens for the cycle model (as run --batch-tokens).", DefaultValueFactory = _ => 128 };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Masks JSON to write (for run --prune-masks).", Required = true };
        var calibration = new Option<int>("--calibration") { Description = "Sample sentences (fortunes-min's riddles, as run's calibration).", DefaultValueFactory = _ => 32 };
        var projections = new Option<int>("--projections") { Description = "Random projections of the embedding per sentence (backward passes) for the Fisher diagonal.", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random projections.", DefaultValueFactory = _ => 1 };
        var onnx = new Option<FileInfo?>("--onnx") { Description = "Also write the pruned model as an ONNX file (initializers sliced to the kept heads and filters, head reshapes updated); run --model reads it back." };
        var rearrange = new Option<bool>("--rearrange") { Description = "Mask rearrangement: keep each layer's numbers of heads and filters but choose which by the layer's block of the Fisher information (not its diagonal); docs/pruning.md." };
        var tune = new Option<bool>("--tune") { Description = "Also tune the kept masks by least squares on each layer's linearized LayerNorm outputs (writes head_scales and filter_scales; docs/pruning.md: on MiniLM it measured worse than untuned)." };
        var cmd = new Command("prune", "Find head and filter pruning masks of a post-LN encoder from the Fisher information of its mask variables under a MAC budget, a cycle budget from the performance model of --config, or both; writes masks for run --prune-masks.")
        {
            model, macs, cycles, config, batchTokens, output, onnx, calibration, projections, seed, rearrange, tune,
        };
        cmd.SetAction(parse =>
        {
            try
            {
                var budget = new PruneBudget(parse.GetValue(macs), parse.GetValue(cycles));
                return Execute(parse.GetValue(model)!, budget, parse.GetValue(config), parse.GetValue(batchTokens), parse.GetValue(output)!, parse.GetValue(calibration), parse.GetValue(projections), parse.GetValue(seed), parse.GetValue(rearrange), parse.GetValue(tune), parse.GetValue(onnx));
            }
            catch (ModelException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.BadInput;
            }
        });
        return cmd;
    }

    private static int Execute(string modelName, PruneBudget budget, FileInfo? config, int batchTokens, FileInfo output, int calibrationCount, int projections, int seed, bool rearrange, bool tune, FileInfo? onnx)
    {
        if (BudgetError(budget, config) is { } error)
        {
            Console.Error.WriteLine($"error: {error}");
            return ExitCodes.BadInput;
        }

        var design = config is null ? null : CliApp.LoadDesign(config);
        if (config is not null && design is null)
        {
            return ExitCodes.BadInput;
        }

        var sample = SentenceCorpus.Load(calibrationCount, 1).Calibration;
        using var session = ModelSession.Open(modelName);
        var m = session.Model;
        Console.WriteLine(m.Summary());
        var ids = session.Tokenize(sample);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        PruneCosts? cycleCosts = null;
        if (design is not null)
        {
            var columns = m.Placement == NormPlacement.PostNorm ? ColumnOptions.Recommended : null;
            cycleCosts = PruneCycleModel.Measure(design, m, ids, batchTokens, columns, line => Console.Error.WriteLine("  " + line));
            Console.WriteLine(FormattableString.Invariant($"cycle model: {design.Name} ({design.Rows}x{design.Cols}), {ids.Count} sentences in batches of at most {batchTokens} tokens, {(columns is null ? "per-tensor" : "per-column")} datapath, {cycleCosts.Full:N0} modelled cycles unpruned; filters in blocks of {cycleCosts.FilterBlock}: {watch.Elapsed.TotalSeconds:F1} s"));
            watch.Restart();
        }

        var importance = FisherPruning.Importance(m, ids, projections, (ulong)seed, rearrange);
        var masks = FisherPruning.Search(m, importance, budget, cycleCosts);
        Console.WriteLine(FormattableString.Invariant($"Fisher information of {m.Layers.Sum(l => l.Heads + l.FfnWidth)} mask variables on {ids.Count} sentences ({importance.MeanTokens:F1} tokens on average), {projections} projections each: {watch.Elapsed.TotalSeconds:F1} s"));
        if (rearrange)
        {
            watch.Restart();
            var before = masks;
            masks = FisherPruning.Rearrange(m, importance, masks);
            var changed = Enumerable.Range(0, m.Layers.Length).Sum(i => before.Mask(i, m.Layers[i]).Filters.Except(masks.Mask(i, m.Layers[i]).Filters).Count() + before.Mask(i, m.Layers[i]).Heads.Except(masks.Mask(i, m.Layers[i]).Heads).Count());
            Console.WriteLine(FormattableString.Invariant($"mask rearrangement (block-diagonal Fisher per layer): {changed} heads and filters swapped for others: {watch.Elapsed.TotalSeconds:F1} s"));
        }
        if (tune)
        {
            watch.Restart();
            masks = FisherPruning.Tune(m, masks, ids);
            Console.WriteLine(FormattableString.Invariant($"mask tuning (least squares per layer on {ids.Count} sentences): {watch.Elapsed.TotalSeconds:F1} s"));
        }

        var pruned = masks.Apply(m, output.Name);
        for (var i = 0; i < m.Layers.Length; i++)
        {
            Console.WriteLine(FormattableString.Invariant($"  layer {i}: {pruned.Layers[i].Heads}/{m.Layers[i].Heads} heads, {pruned.Layers[i].FfnWidth}/{m.Layers[i].FfnWidth} filters"));
        }

        var (keptHeads, keptFilters) = (pruned.Layers.Select(l => l.Heads).ToArray(), pruned.Layers.Select(l => l.FfnWidth).ToArray());
        var macCosts = PruneCosts.Macs(m, importance.MeanTokens);
        var kept = FormattableString.Invariant($"kept on the sample: {macCosts.Total(keptHeads, keptFilters) / macCosts.Full:P1} of the MACs");
        kept += cycleCosts is null ? string.Empty : FormattableString.Invariant($", {cycleCosts.Total(keptHeads, keptFilters) / cycleCosts.Full:P1} of the modelled cycles");
        var (fisherHeads, fisherFilters) = FisherPruning.Removed(importance, masks, m);
        Console.WriteLine(kept + FormattableString.Invariant($"; Fisher information removed: {fisherHeads:P2} of the heads', {fisherFilters:P2} of the filters'"));

        Directory.CreateDirectory(Path.GetDirectoryName(output.FullName)!);
        File.WriteAllText(output.FullName, FisherPruning.ToJson(masks));
        Console.WriteLine($"masks: {output.FullName} (./hwgen run CONFIG --model {modelName} --prune-masks {output.Name} ...)");
        if (onnx is not null)
        {
            PrunedOnnxWriter.Write(session.Imported, masks, output.Name, onnx.FullName);
            var vocab = Path.Combine(onnx.DirectoryName!, "vocab.txt");
            if (ModelStore.Resolve(modelName).VocabPath is { } source && !File.Exists(vocab))
            {
                File.Copy(source, vocab);
            }

            Console.WriteLine($"pruned model: {onnx.FullName} (./hwgen run CONFIG --model {onnx.FullName} ...)");
        }
        return ExitCodes.Ok;
    }

    /// <summary>The first problem of the budget options, checked before any work, or null.</summary>
    internal static string? BudgetError(PruneBudget budget, FileInfo? config)
    {
        if (budget.Macs is null && budget.Cycles is null)
        {
            return "give a budget: --macs F (the fraction of the MACs to keep), --cycles F (of the modelled cycles, with --config) or both";
        }

        return budget.Cycles is { } c && config is null
            ? FormattableString.Invariant($"--cycles {c}: the cycle budget needs --config CONFIG, the accelerator whose performance model counts the cycles")
            : budget.Error();
    }
}
