using System.Globalization;
using System.Text;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;

namespace HwGen.Models;

/// <summary>
/// The first step of the post-training pruner (Kwon et al., 2022; docs/pruning.md): the Fisher information of the head
/// and filter mask variables on a sample of sentences, and a mask under a MAC budget chosen from its diagonal.
/// </summary>
/// <remarks>
/// The paper takes the gradients of the task loss with labels. A sentence encoder has none, and a distillation loss
/// against the unpruned model has zero gradient at the unpruned masks, so the empirical Fisher would be zero. The
/// Fisher of the model's own output distribution does not vanish: for a Gaussian model of the mean-pooled embedding e,
/// it is JᵀJ with J = ∂e/∂m. Its diagonal is estimated with random projections: for v ~ N(0, I),
/// E[(vᵀJ)_i²] = (JᵀJ)_ii, one backward pass (<see cref="MaskGradient"/>) per sentence and projection.
/// </remarks>
public static partial class FisherPruning
{
    /// <summary>
    /// The diagonal Fisher information of every head and filter mask of a post-LN <paramref name="model"/>, averaged over
    /// <paramref name="sentences"/> and <paramref name="projections"/> random projections each (seeded by <paramref name="seed"/>).
    /// </summary>
    /// <param name="model">The post-LN encoder.</param>
    /// <param name="sentences">Token ids of the sample.</param>
    /// <param name="projections">Random projections per sentence.</param>
    /// <param name="seed">Seed of the projections.</param>
    /// <param name="keepSamples">Also keep every sentence's and projection's gradient (<see cref="MaskImportance.Samples"/>), for <see cref="Rearrange"/>.</param>
    /// <exception cref="ModelException">A pre-LN model, no sentences, or fewer than one projection.</exception>
    public static MaskImportance Importance(EncoderModel model, IReadOnlyList<int[]> sentences, int projections, ulong seed, bool keepSamples = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sentences);
        if (model.Placement != NormPlacement.PostNorm)
        {
            throw new ModelException($"{model.Name}: the pruner's backward pass is for post-LN encoders");
        }

        if (sentences.Count == 0 || projections < 1)
        {
            throw new ModelException("the Fisher information needs at least one sentence and one projection");
        }

        var weights = model.Layers.Select(EncoderLowering.ToLayerWeights).ToArray();
        var heads = model.Layers.Select(l => new double[l.Heads]).ToArray();
        var filters = model.Layers.Select(l => new double[l.FfnWidth]).ToArray();
        var samples = model.Layers.Select(_ => new List<double[]>()).ToArray();
        var rng = new SeededRandom(seed);
        var h = model.Hidden;
        foreach (var ids in sentences)
        {
            var n = ids.Length;
            var x = FloatEncoder.Embed(model, ids).Select(v => (double)v).ToArray();
            var tapes = new MaskGradient.Tape[weights.Length];
            for (var i = 0; i < weights.Length; i++)
            {
                var l = model.Layers[i];
                var spec = LayerSpec.Create(model.Name, h, l.Heads, l.HeadDim, l.FfnWidth, n, false, false);
                (x, tapes[i]) = MaskGradient.Forward(spec, weights[i] with { Input = x });
            }

            // The embedding is compared by cosine, so only its direction counts: the projections go through the
            // Jacobian of e/|e|, (I − ê·êᵀ)/|e|, and then through the mean over tokens (1/n on every token).
            var e = new double[h];
            for (var t = 0; t < x.Length; t++)
            {
                e[t % h] += x[t] / n;
            }

            var norm = Math.Sqrt(e.Sum(c => c * c));
            var unit = e.Select(c => c / norm).ToArray();
            for (var r = 0; r < projections; r++)
            {
                var v = Enumerable.Range(0, h).Select(_ => rng.NextNormal()).ToArray();
                var along = v.Zip(unit, (a, b) => a * b).Sum();
                v = v.Select((c, j) => (c - (along * unit[j])) / (norm * n)).ToArray();
                var dy = Enumerable.Range(0, n * h).Select(e => v[e % h]).ToArray();
                for (var i = weights.Length - 1; i >= 0; i--)
                {
                    var (dx, dHeads, dFilters) = MaskGradient.Backward(tapes[i], dy);
                    Accumulate(heads[i], dHeads);
                    Accumulate(filters[i], dFilters);
                    if (keepSamples)
                    {
                        samples[i].Add([.. dHeads, .. dFilters]);
                    }

                    dy = dx;
                }
            }
        }

        var count = (double)sentences.Count * projections;
        return new MaskImportance(
            heads.Select(a => a.Select(v => v / count).ToArray()).ToArray(),
            filters.Select(a => a.Select(v => v / count).ToArray()).ToArray(),
            sentences.Average(s => (double)s.Length))
        {
            Samples = keepSamples ? samples.Select(l => l.ToArray()).ToArray() : null,
        };
    }

    /// <summary>
    /// Mask tuning (<see cref="MaskTuning"/>), layer by layer on <paramref name="sentences"/>: each pruned layer's kept
    /// heads and filters get the mask values that best rebuild the unpruned layer's sums before its LayerNorms, reading
    /// the tuned layers before it. Returns <paramref name="masks"/> with the scales.
    /// </summary>
    /// <exception cref="ModelException">A pre-LN model, or masks that do not fit it.</exception>
    public static PruneMasks Tune(EncoderModel model, PruneMasks masks, IReadOnlyList<int[]> sentences)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(sentences);
        if (model.Placement != NormPlacement.PostNorm)
        {
            throw new ModelException($"{model.Name}: mask tuning is for post-LN encoders");
        }

        _ = masks.Apply(model, "masks");
        var teacher = sentences.Select(ids => FloatEncoder.Embed(model, ids).Select(v => (double)v).ToArray()).ToArray();
        var student = teacher;
        var entries = new List<PruneMasks.Entry>();
        for (var i = 0; i < model.Layers.Length; i++)
        {
            var l = model.Layers[i];
            var spec = LayerSpec.Create(model.Name, model.Hidden, l.Heads, l.HeadDim, l.FfnWidth, 1, false, false);
            var w = EncoderLowering.ToLayerWeights(l);
            var mask = masks.Mask(i, l);
            var pruned = LayerPruning.Apply(spec, w, mask);
            var (heads, filters, teacherOut, studentOut) = MaskTuning.Tune((spec, w), pruned, teacher, student);
            entries.Add(new PruneMasks.Entry(mask.Heads, mask.Filters, heads, filters));
            (teacher, student) = (teacherOut, studentOut);
        }

        return new PruneMasks(entries);
    }

    /// <summary>The masks as the JSON file <see cref="PruneMasks.Load"/> reads.</summary>
    public static string ToJson(PruneMasks masks)
    {
        ArgumentNullException.ThrowIfNull(masks);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("{\n  \"layers\": [\n");
        for (var i = 0; i < masks.Layers.Count; i++)
        {
            var e = masks.Layers[i];
            var parts = new List<string>();
            if (e.Heads is not null)
            {
                parts.Add("\"heads\": [" + string.Join(", ", e.Heads.Select(v => v.ToString(inv))) + "]");
            }

            if (e.Filters is not null)
            {
                parts.Add("\"filters\": [" + string.Join(", ", e.Filters.Select(v => v.ToString(inv))) + "]");
            }

            if (e.HeadScales is not null)
            {
                parts.Add("\"head_scales\": [" + string.Join(", ", e.HeadScales.Select(v => v.ToString("R", inv))) + "]");
            }

            if (e.FilterScales is not null)
            {
                parts.Add("\"filter_scales\": [" + string.Join(", ", e.FilterScales.Select(v => v.ToString("R", inv))) + "]");
            }

            sb.Append("    { ").Append(string.Join(", ", parts)).Append(i + 1 < masks.Layers.Count ? " },\n" : " }\n");
        }

        return sb.Append("  ]\n}\n").ToString();
    }

    private static void Accumulate(double[] acc, double[] g)
    {
        for (var i = 0; i < acc.Length; i++)
        {
            acc[i] += g[i] * g[i];
        }
    }
}
