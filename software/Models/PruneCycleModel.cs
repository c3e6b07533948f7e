using HwGen.Generator.Design;
using HwGen.Software.Layers;

namespace HwGen.Models;

/// <summary>
/// The cycle costs of the mask search from HwGen's own performance model (docs/pruning.md, "The cycle budget"): the
/// sample sentences packed into batches as <c>run</c> packs them, compiled for the accelerator with layers of fewer
/// heads and filters, and each operation's modelled cycles (<see cref="CompiledLayer.ModelledCycles"/>) added up per
/// layer into its attention part (everything before FFN1) and its FFN. Which heads and filters are kept does not change
/// the program's timing, only how many, so probes keep the first ones.
/// </summary>
/// <remarks>
/// Layers of one shape share their tables. Each probe gives every layer its own point (layer k of a shape gets the
/// shape's (p·n + k)-th head count and filter count), so a six-layer model needs about (filter points / 6) probes.
/// Heads are measured at every count. Filters are measured at the multiples of the array's columns: FFN1's N and FFN2's
/// K are tiled by the array, and a partial tile takes as long as a full one, so f filters cost what the next multiple
/// costs, and the search removes filters down to a multiple (<see cref="PruneCosts.FilterBlock"/>). Tables are made
/// non-decreasing (removing a head or a tile never counts as costing cycles).
/// </remarks>
public static class PruneCycleModel
{
    /// <summary>Measures the cycle tables of <paramref name="model"/> on <paramref name="design"/>.</summary>
    /// <param name="design">The accelerator.</param>
    /// <param name="model">The (post-LN or pre-LN) encoder to prune.</param>
    /// <param name="sample">Token ids of the sample sentences (the Fisher sample).</param>
    /// <param name="batchTokens">Tokens a batch packs at most (as <c>run --batch-tokens</c>).</param>
    /// <param name="columns">The per-column datapath's options, or null for the per-tensor datapath.</param>
    /// <param name="progress">Told after each probe.</param>
    /// <exception cref="ModelException">No sample, or the design cannot run the model (the compiler's reason).</exception>
    public static PruneCosts Measure(DesignModel design, EncoderModel model, IReadOnlyList<int[]> sample, int batchTokens, ColumnOptions? columns, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Count == 0)
        {
            throw new ModelException("the cycle model needs at least one sample sentence");
        }

        var block = design.Cols;
        var shapes = model.Layers.Select((l, i) => (l, i)).GroupBy(p => (p.l.Heads, p.l.HeadDim, p.l.FfnWidth), p => p.i).ToList();
        var headPoints = shapes.ToDictionary(g => g.Key, g => Enumerable.Range(1, g.Key.Heads).ToArray());
        var filterPoints = shapes.ToDictionary(g => g.Key, g => Grid(g.Key.FfnWidth, block));
        var probes = shapes.Max(g => (Math.Max(headPoints[g.Key].Length, filterPoints[g.Key].Length) + g.Count() - 1) / g.Count());
        var attention = shapes.ToDictionary(g => g.Key, g => new Dictionary<int, List<double>>());
        var ffn = shapes.ToDictionary(g => g.Key, g => new Dictionary<int, List<double>>());
        var batches = EncoderLowering.Batches(sample, batchTokens);
        var calibration = sample.Take(2).ToList();
        for (var p = 0; p < probes; p++)
        {
            var heads = new int[model.Layers.Length];
            var filters = new int[model.Layers.Length];
            foreach (var g in shapes)
            {
                foreach (var (layer, k) in g.Select((layer, k) => (layer, k)))
                {
                    var point = (p * g.Count()) + k;
                    heads[layer] = headPoints[g.Key][Math.Min(point, headPoints[g.Key].Length - 1)];
                    filters[layer] = filterPoints[g.Key][Math.Min(point, filterPoints[g.Key].Length - 1)];
                }
            }

            var masks = new PruneMasks(heads.Zip(filters, (h, f) => new PruneMasks.Entry(Enumerable.Range(0, h).ToArray(), Enumerable.Range(0, f).ToArray())).ToArray());
            var pass = new AcceleratorPass(design, new EncoderLowering(masks.Apply(model, "cycle probe"), calibration, columns));
            var (att, ff) = (new double[heads.Length], new double[heads.Length]);
            foreach (var batch in batches)
            {
                var compiled = pass.Compile(batch.Select(i => sample[i]).ToList()).Compiled;
                foreach (var (op, cycles) in compiled.ModelledCycles(design))
                {
                    var (layer, name) = Split(op.Name, heads.Length);
                    if (name.StartsWith("ffn", StringComparison.Ordinal))
                    {
                        ff[layer] += cycles;
                    }
                    else
                    {
                        att[layer] += cycles;
                    }
                }
            }

            foreach (var g in shapes)
            {
                foreach (var layer in g)
                {
                    Add(attention[g.Key], heads[layer], att[layer]);
                    Add(ffn[g.Key], filters[layer], ff[layer]);
                }
            }

            progress?.Invoke($"cycle probe {p + 1} of {probes}: heads {string.Join('/', heads)}, filters {string.Join('/', filters)}");
        }

        var headTables = new double[model.Layers.Length][];
        var filterTables = new double[model.Layers.Length][];
        foreach (var g in shapes)
        {
            var a = Table(g.Key.Heads, h => attention[g.Key][h].Average());
            var f = Table(g.Key.FfnWidth, n => ffn[g.Key][Math.Min(g.Key.FfnWidth, (n + block - 1) / block * block)].Average());
            foreach (var layer in g)
            {
                (headTables[layer], filterTables[layer]) = (a, f);
            }
        }

        return new PruneCosts("cycles", headTables, filterTables, block);
    }

    /// <summary>The filter counts measured: the multiples of <paramref name="block"/> up to <paramref name="width"/>, and the width itself.</summary>
    public static int[] Grid(int width, int block)
    {
        var points = Enumerable.Range(1, width / block).Select(k => k * block).ToList();
        if (width % block != 0)
        {
            points.Add(width);
        }

        return points.ToArray();
    }

    // Entry 0 is 0 (never a target: a layer keeps a head and a filter); then non-decreasing.
    private static double[] Table(int count, Func<int, double> measured)
    {
        var t = new double[count + 1];
        for (var k = 1; k <= count; k++)
        {
            t[k] = Math.Max(t[k - 1], measured(k));
        }

        return t;
    }

    private static void Add(Dictionary<int, List<double>> points, int key, double value)
    {
        if (!points.TryGetValue(key, out var list))
        {
            points[key] = list = [];
        }

        list.Add(value);
    }

    // "L3.ffn1_gelu" → (3, "ffn1_gelu"); a one-layer program has no prefix.
    private static (int Layer, string Name) Split(string op, int layers)
    {
        if (layers == 1)
        {
            return (0, op);
        }

        var dot = op.IndexOf('.', StringComparison.Ordinal);
        return (int.Parse(op.AsSpan(1, dot - 1), System.Globalization.CultureInfo.InvariantCulture), op[(dot + 1)..]);
    }
}
