using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using HwGen.Software.Layers;

namespace HwGen.Models;

/// <summary>
/// Structured pruning masks for an imported encoder, one per layer (docs/pruning.md): the heads and FFN filters each
/// layer keeps. Read from a JSON file
/// <code>
/// { "layers": [ { "heads": [0, 2, 5], "filters": [0, 1, 7] }, {}, ... ] }
/// </code>
/// with one entry per encoder layer, in order; an entry without <c>heads</c> (or <c>filters</c>) keeps all of them.
/// Indices are ascending, without repeats, inside the layer; a layer keeps at least one head and one filter.
/// </summary>
/// <param name="Layers">Each layer's mask, or null to keep the layer whole.</param>
public sealed record PruneMasks(IReadOnlyList<PruneMasks.Entry> Layers)
{
    /// <summary>
    /// One layer's mask: kept heads and kept filters, each null for all; optionally the tuned mask value of each kept
    /// head and filter (<see cref="MaskTuning"/>), which scale the head's rows of the output projection and the filter's
    /// row of FFN2.
    /// </summary>
    /// <param name="Heads">Kept heads, or null for all.</param>
    /// <param name="Filters">Kept filters, or null for all.</param>
    /// <param name="HeadScales">Mask values of the kept heads, in order, or null for ones.</param>
    /// <param name="FilterScales">Mask values of the kept filters, in order, or null for ones.</param>
    public sealed record Entry(IReadOnlyList<int>? Heads, IReadOnlyList<int>? Filters, IReadOnlyList<double>? HeadScales = null, IReadOnlyList<double>? FilterScales = null);

    /// <summary>Reads masks from <paramref name="path"/>.</summary>
    /// <exception cref="ModelException">A missing file, bad JSON, unknown keys or values that are not index lists (one line, naming the place).</exception>
    public static PruneMasks Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ModelException($"{path}: no such masks file");
        }

        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (JsonException ex)
        {
            throw new ModelException($"{path}: not valid JSON ({ex.Message.Split('\n')[0]})");
        }
    }

    /// <summary>Parses masks from JSON text; <paramref name="where"/> names the source in errors.</summary>
    /// <exception cref="ModelException">Unknown keys or values that are not index lists.</exception>
    /// <exception cref="JsonException">Text that is not JSON.</exception>
    public static PruneMasks Parse(string json, string where)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ModelException($"{where}: expected an object {{\"layers\": [...]}}");
        }

        JsonElement layers = default;
        foreach (var p in root.EnumerateObject())
        {
            if (p.Name != "layers")
            {
                throw new ModelException($"{where}: unknown key '{p.Name}'; expected \"layers\"");
            }

            layers = p.Value;
        }

        if (layers.ValueKind != JsonValueKind.Array)
        {
            throw new ModelException($"{where}: \"layers\" must be an array with one entry per encoder layer");
        }

        var entries = new List<Entry>();
        foreach (var (e, i) in layers.EnumerateArray().Select((e, i) => (e, i)))
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"{where}: layer {i}");
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw new ModelException($"{at}: expected an object with \"heads\" and/or \"filters\"");
            }

            IReadOnlyList<int>? heads = null, filters = null;
            IReadOnlyList<double>? headScales = null, filterScales = null;
            foreach (var p in e.EnumerateObject())
            {
                if (p.Name is "head_scales" or "filter_scales")
                {
                    var scales = Scales(p.Value, $"{at}: \"{p.Name}\"");
                    if (p.Name == "head_scales")
                    {
                        headScales = scales;
                    }
                    else
                    {
                        filterScales = scales;
                    }

                    continue;
                }

                if (p.Name is not ("heads" or "filters"))
                {
                    throw new ModelException($"{at}: unknown key '{p.Name}'; expected \"heads\", \"filters\", \"head_scales\" or \"filter_scales\"");
                }

                var list = Indices(p.Value, $"{at}: \"{p.Name}\"");
                if (p.Name == "heads")
                {
                    heads = list;
                }
                else
                {
                    filters = list;
                }
            }

            // Order and repeats are checked here, before the model is read; ranges once it is (Apply).
            if (new LayerMask(heads ?? [0], filters ?? [0]).Check(at, int.MaxValue, int.MaxValue) is { } bad)
            {
                throw new ModelException(bad);
            }

            entries.Add(new Entry(heads, filters, headScales, filterScales));
        }

        return new PruneMasks(entries);
    }

    /// <summary>
    /// <paramref name="model"/> with each layer's kept heads and filters gathered (<see cref="LayerPruning"/>): Q, K and V
    /// keep the columns of the kept heads, the output projection their rows; FFN1 keeps the kept filters' columns and
    /// bias entries, FFN2 their rows.
    /// </summary>
    /// <exception cref="ModelException">Not one entry per layer, or an index outside its layer (one line naming the layer).</exception>
    public EncoderModel Apply(EncoderModel model, string where)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Layers.Count != model.Layers.Length)
        {
            throw new ModelException(string.Create(CultureInfo.InvariantCulture, $"{where}: {Layers.Count} layer entries for {model.Name}'s {model.Layers.Length} encoder layers; give one entry per layer ({{}} keeps a layer whole)"));
        }

        var layers = ImmutableArray.CreateBuilder<EncoderLayer>(Layers.Count);
        for (var i = 0; i < Layers.Count; i++)
        {
            var l = model.Layers[i];
            var mask = Mask(i, l);
            if (mask.Check(string.Create(CultureInfo.InvariantCulture, $"{where}: layer {i}"), l.Heads, l.FfnWidth) is { } error)
            {
                throw new ModelException(error);
            }

            var e = Layers[i];
            if ((e.HeadScales is { } hs && hs.Count != mask.Heads.Count) || (e.FilterScales is { } fs && fs.Count != mask.Filters.Count))
            {
                throw new ModelException(string.Create(CultureInfo.InvariantCulture, $"{where}: layer {i}: {e.HeadScales?.Count ?? mask.Heads.Count} head scales for {mask.Heads.Count} kept heads, {e.FilterScales?.Count ?? mask.Filters.Count} filter scales for {mask.Filters.Count} kept filters; give one scale per kept head (filter)"));
            }

            layers.Add(mask.KeepsAll(l.Heads, l.FfnWidth) && e.HeadScales is null && e.FilterScales is null ? l : Gather(l, mask, e.HeadScales, e.FilterScales));
        }

        return model with { Layers = layers.MoveToImmutable() };
    }

    /// <summary>Layer <paramref name="i"/>'s mask with the missing lists filled in (keep all).</summary>
    public LayerMask Mask(int i, EncoderLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var e = Layers[i];
        return new LayerMask(e.Heads ?? Enumerable.Range(0, layer.Heads).ToArray(), e.Filters ?? Enumerable.Range(0, layer.FfnWidth).ToArray());
    }

    private static EncoderLayer Gather(EncoderLayer l, LayerMask mask, IReadOnlyList<double>? headScales, IReadOnlyList<double>? filterScales)
    {
        var columns = LayerPruning.HeadColumns(mask.Heads, l.HeadDim);
        LinearWeights Columns(LinearWeights w, IReadOnlyList<int> keep) => new(
            new FloatMatrix(w.In, keep.Count, LayerPruning.GatherColumns(w.Weight.Data, w.In, w.Out, keep)),
            FloatMatrix.Vector(LayerPruning.GatherColumns(w.Bias.Data, 1, w.Out, keep)));
        LinearWeights Rows(LinearWeights w, IReadOnlyList<int> keep, Func<int, double>? scale)
        {
            var rows = LayerPruning.GatherRows(w.Weight.Data, w.Out, keep);
            for (var i = 0; scale is not null && i < rows.Length; i++)
            {
                rows[i] = (float)(rows[i] * scale(i / w.Out));
            }

            return new(new FloatMatrix(keep.Count, w.Out, rows), w.Bias);
        }

        return l with
        {
            Heads = mask.Heads.Count,
            Query = Columns(l.Query, columns),
            Key = Columns(l.Key, columns),
            Value = Columns(l.Value, columns),
            Output = Rows(l.Output, columns, headScales is null ? null : r => headScales[r / l.HeadDim]),
            Ffn1 = Columns(l.Ffn1, mask.Filters),
            Ffn2 = Rows(l.Ffn2, mask.Filters, filterScales is null ? null : r => filterScales[r]),
        };
    }

    private static double[] Scales(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new ModelException($"{at} must be a list of numbers");
        }

        return e.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d)
            ? d
            : throw new ModelException($"{at}: '{v.GetRawText()}' is not a finite number")).ToArray();
    }

    private static int[] Indices(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new ModelException($"{at} must be a list of indices");
        }

        return e.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n)
            ? n
            : throw new ModelException($"{at}: '{v.GetRawText()}' is not an integer index")).ToArray();
    }
}
