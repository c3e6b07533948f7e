using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Software.Layers;

namespace HwGen.Models;

/// <summary>
/// An imported encoder on the accelerator with token pruning (docs/pruning.md, "Token pruning on MiniLM"): each batch
/// of packed sentences runs one program per layer (<see cref="TokenPruneChain"/>) on the golden model; after a pruning
/// point every sentence keeps its [CLS] and the tokens its own attention probabilities rank highest, and the following
/// layers run on the kept tokens only. The last hidden states returned are those of the kept tokens.
/// </summary>
public sealed class TokenPrunePass
{
    /// <summary>Prepares the pass; nothing is compiled until a batch is.</summary>
    public TokenPrunePass(DesignModel design, EncoderLowering lowering)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(lowering);
        (Design, Lowering) = (design, lowering);
    }

    /// <summary>The design.</summary>
    public DesignModel Design { get; }

    /// <summary>The quantized model.</summary>
    public EncoderLowering Lowering { get; }

    /// <summary>
    /// False (the default): <see cref="TokenPrunedBatch.Hidden"/> holds the kept tokens only. True: every token, a pruned
    /// one with its last computed state (the output of the layer after which it left, read where that program left it).
    /// </summary>
    public bool Frozen { get; init; }

    /// <summary>Lowers a batch (sentences packed back to back) to its layer stack.</summary>
    /// <exception cref="ModelException">A sentence cannot be embedded.</exception>
    public IReadOnlyList<QuantizedLayer> Lower(IReadOnlyList<int[]> sentences) => Lowering.Lower(sentences);

    /// <summary>Runs a batch pruned by <paramref name="plan"/> on the golden model (performance-model cycles).</summary>
    /// <exception cref="ModelException">The design cannot hold a layer's program (the compiler's reason).</exception>
    public TokenPrunedBatch Run(IReadOnlyList<int[]> sentences, TokenPruning plan)
    {
        var stack = Lower(sentences);
        return Result(stack, Compile(() => TokenPruneChain.RunGolden(Design, stack, plan)));
    }

    /// <summary>A batch's result from its chain's layers (golden or co-simulated): the kept tokens' hidden states and the unpruned chain's performance model.</summary>
    public TokenPrunedBatch Result(IReadOnlyList<QuantizedLayer> stack, IReadOnlyList<TokenPruneLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(layers);
        var last = layers[^1];
        var hidden = Frozen ? FrozenStates(stack[0].Spec.Segments, layers) : Lowering.HiddenStates(last.Y, last.KeptLengths);
        return new TokenPrunedBatch(stack, layers, Compile(() => TokenPruneChain.Modelled(Design, stack)), hidden);
    }

    /// <summary>Each sentence's states in token order: a token's row in the last layer that ran on it.</summary>
    private List<float[]> FrozenStates(IReadOnlyList<int> lengths, IReadOnlyList<TokenPruneLayer> layers)
    {
        var at = new Dictionary<int, (int Layer, int Row)>();
        for (var i = 0; i < layers.Count; i++)
        {
            for (var r = 0; r < layers[i].Tokens.Count; r++)
            {
                at[layers[i].Tokens[r]] = (i, r);
            }
        }

        var (states, first) = (new List<float[]>(), 0);
        foreach (var n in lengths)
        {
            var h = new List<float>();
            for (var t = first; t < first + n; t++)
            {
                var (layer, row) = at[t];
                h.AddRange(Lowering.OutputRow(layer, layers[layer].Y, row));
            }

            var s = h.ToArray();
            Lowering.ApplyFinalNorm(s, n);
            states.Add(s);
            first += n;
        }

        return states;
    }

    /// <summary>
    /// Turns every budget point (<c>keep=F</c>) of <paramref name="plan"/> into one fixed threshold found on
    /// <paramref name="calibration"/>: the importances after that layer of every calibration sentence's tokens other than
    /// [CLS] (earlier points already applied as their found thresholds), and the threshold the one that keeps F of all
    /// the tokens reaching the point over the sample (every [CLS] counted as kept). Threshold points stay as given.
    /// An absolute threshold (a probability, mean 1/n) prunes long sentences more than short ones; a relative one does not.
    /// </summary>
    /// <param name="calibration">The sample's token ids.</param>
    /// <param name="plan">The points; each budget becomes a threshold.</param>
    /// <param name="batchTokens">The batches the sample is packed into.</param>
    /// <param name="relative">Find relative thresholds (on n × the importance, <see cref="TokenPrunePoint.Relative"/>) instead of absolute ones.</param>
    public TokenPruning Calibrate(IReadOnlyList<int[]> calibration, TokenPruning plan, int batchTokens, bool relative = false)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(plan);
        var found = new List<TokenPrunePoint>();
        foreach (var point in plan.Points)
        {
            if (point.Keep is not { } keep)
            {
                found.Add(point);
                continue;
            }

            var probe = new TokenPruning([.. found, new TokenPrunePoint(point.AfterLayer, 1, null)]);
            var (others, reaching, sentences) = (new List<double>(), 0, 0);
            foreach (var batch in EncoderLowering.Batches(calibration, batchTokens))
            {
                var stack = Lower(batch.Select(i => calibration[i]).ToList());
                var layer = Compile(() => TokenPruneChain.RunGolden(Design, stack, probe, point.AfterLayer))[^1];
                var first = 0;
                foreach (var n in layer.Lengths)
                {
                    others.AddRange(layer.Importance.Skip(first + 1).Take(n - 1).Select(v => relative ? v * n : v));
                    (first, reaching, sentences) = (first + n, reaching + n, sentences + 1);
                }
            }

            var target = (int)Math.Round(keep * reaching, MidpointRounding.AwayFromZero) - sentences;
            var ranked = others.OrderDescending().ToList();
            var threshold = target <= 0 ? Math.BitIncrement(ranked.DefaultIfEmpty(0).First()) : ranked[Math.Min(target, ranked.Count) - 1];
            found.Add(new TokenPrunePoint(point.AfterLayer, null, threshold) { Relative = relative });
        }

        return new TokenPruning(found);
    }

    private T Compile<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (ArgumentException ex)
        {
            throw new ModelException(string.Create(CultureInfo.InvariantCulture, $"configuration '{Design.Name}' cannot run this model with token pruning: {ex.Message}"));
        }
    }
}

/// <summary>One token-pruned batch.</summary>
/// <param name="Stack">Its quantized layer stack (unpruned shapes; the chain prunes).</param>
/// <param name="Layers">Per layer: tokens, kept tokens, MACs, cycles, host bytes read.</param>
/// <param name="Unpruned">The unpruned stack compiled the same way (one program per layer): MACs and performance-model cycles.</param>
/// <param name="Hidden">Each sentence's last hidden states, for its kept tokens only.</param>
public sealed record TokenPrunedBatch(IReadOnlyList<QuantizedLayer> Stack, IReadOnlyList<TokenPruneLayer> Layers, IReadOnlyList<TokenPruneLayer> Unpruned, IReadOnlyList<float[]> Hidden);
