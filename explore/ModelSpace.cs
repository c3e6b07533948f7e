using System.Globalization;
using HwGen.Software.Compiler;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;
using YamlDotNet.RepresentationModel;

namespace HwGen.Explore;

/// <summary>
/// The optional model-shape part of a space file, for layer workloads:
/// <code>
/// model:
///   layers: {from: 3, to: 6}
///   heads: [4, 8, 12]
///   hidden: {from: 384, to: 768, step: 128}
///   ffn: [768, 1536, 3072]
///   seq: [128]
/// </code>
/// Each point is a configuration × a shape; a shape is the workload with <c>layers=</c>, <c>hidden=</c>,
/// <c>attn_heads=</c>, <c>ffn_dim=</c> and <c>seq=</c> set (<see cref="Workload"/>), so the estimators, the replay
/// and the front's co-simulation all run the same layer. Shapes whose width is not a multiple of the heads are
/// points with status <c>invalid</c>.
/// </summary>
public static class ModelSpace
{
    /// <summary>The model-shape keys, each with the workload parameter it sets and its range.</summary>
    public static IReadOnlyList<(string Key, string Parameter, int Min, int Max)> Keys { get; } =
    [
        ("layers", "layers", 1, LayerCompiler.MaxLayers),
        ("hidden", "hidden", 1, 65535),
        ("heads", "attn_heads", 1, 1024),
        ("ffn", "ffn_dim", 1, 65535),
        ("seq", "seq", 1, 4096),
    ];

    /// <summary>Prefix of a model-shape key among a point's values (<c>model.hidden</c>).</summary>
    public const string Prefix = "model.";

    /// <summary>Parses the <c>model:</c> mapping of a space whose workload is <paramref name="workload"/>.</summary>
    /// <exception cref="SpaceFileException">Anything wrong, naming the key and line.</exception>
    public static List<(string Key, IReadOnlyList<string> Values)> Parse(YamlNode node, WorkloadSpec? workload, string source)
    {
        ArgumentNullException.ThrowIfNull(node);
        var line0 = (int)node.Start.Line;
        if (node is not YamlMappingNode map || map.Children.Count == 0)
        {
            throw new SpaceFileException(source, line0, "model: expected a mapping of model-shape keys (layers, hidden, heads, ffn, seq) to value lists");
        }

        if (workload is null || !WorkloadCompiler.IsLayer(workload) || Software.Decode.DecodeModel.IsDecode(workload))
        {
            throw new SpaceFileException(source, line0, $"model: a model-shape search needs a layer workload (e.g. workload: bert-base), not '{workload?.ToString() ?? "none"}'");
        }

        var result = new List<(string, IReadOnlyList<string>)>();
        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? string.Empty;
            var line = (int)k.Start.Line;
            var key = Keys.FirstOrDefault(x => x.Key == name);
            if (key.Key is null)
            {
                throw new SpaceFileException(source, line, $"model: unknown key '{name}' (expected {string.Join(", ", Keys.Select(x => x.Key))})");
            }

            if (result.Any(r => r.Item1 == Prefix + name))
            {
                throw new SpaceFileException(source, line, $"model: '{name}' appears twice");
            }

            if (workload.Parameters.ContainsKey(key.Parameter) || (name is "heads" or "ffn" && workload.GetList(name) is not null))
            {
                throw new SpaceFileException(source, line, $"model: {name}: the workload '{workload}' already sets {(name is "heads" or "ffn" && workload.GetList(name) is not null ? name : key.Parameter)}=; drop it there or here");
            }

            var values = v switch
            {
                YamlSequenceNode seq => seq.Children.Select(c => Int(c, source, name, key.Min, key.Max)).ToList(),
                YamlMappingNode range => Range(range, source, name, key.Min, key.Max),
                YamlScalarNode => [Int(v, source, name, key.Min, key.Max)],
                _ => throw new SpaceFileException(source, line, $"model: {name}: expected a list of integers or {{from: a, to: b, step: s}}"),
            };
            if (values.Count == 0)
            {
                throw new SpaceFileException(source, line, $"model: {name}: no values");
            }

            if (values.Distinct().Count() != values.Count)
            {
                throw new SpaceFileException(source, line, $"model: {name}: a value is listed twice");
            }

            result.Add((Prefix + name, values.Select(x => x.ToString(CultureInfo.InvariantCulture)).ToList()));
        }

        return result;
    }

    /// <summary>The workload of a point: <paramref name="workload"/> with the point's model-shape values set.</summary>
    public static WorkloadSpec Workload(WorkloadSpec workload, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(values);
        var parameters = workload.Parameters;
        foreach (var (key, parameter, _, _) in Keys)
        {
            if (values.TryGetValue(Prefix + key, out var text))
            {
                parameters = parameters.SetItem(parameter, long.Parse(text, CultureInfo.InvariantCulture));
            }
        }

        return workload with { Parameters = parameters };
    }

    /// <summary>Why a point's shape is not a layer (width not a multiple of the heads), or null.</summary>
    public static string? Problem(WorkloadSpec workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        try
        {
            _ = LayerCompiler.Shape(workload);
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    private static int Int(YamlNode node, string source, string name, int min, int max)
    {
        var line = (int)node.Start.Line;
        if (node is not YamlScalarNode { Value: { } s } || !int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x))
        {
            throw new SpaceFileException(source, line, $"model: {name}: '{(node as YamlScalarNode)?.Value}' is not an integer");
        }

        return x < min || x > max ? throw new SpaceFileException(source, line, $"model: {name}: {x} is outside {min}..{max}") : x;
    }

    private static List<int> Range(YamlMappingNode node, string source, string name, int min, int max)
    {
        var line = (int)node.Start.Line;
        var unknown = node.Children.Keys.Select(k => (k as YamlScalarNode)?.Value).FirstOrDefault(k => k is not ("from" or "to" or "step"));
        if (node.Children.Count > 0 && node.Children.Keys.Any(k => (k as YamlScalarNode)?.Value is not ("from" or "to" or "step")))
        {
            throw new SpaceFileException(source, line, $"model: {name}: unknown range key '{unknown}' (expected from, to, step)");
        }

        YamlNode? Get(string key) => node.Children.FirstOrDefault(c => (c.Key as YamlScalarNode)?.Value == key).Value;
        if (Get("from") is not { } f || Get("to") is not { } t)
        {
            throw new SpaceFileException(source, line, $"model: {name}: a range needs integer 'from' and 'to'");
        }

        var (from, to) = (Int(f, source, name, min, max), Int(t, source, name, min, max));
        var step = Get("step") is { } s ? Int(s, source, name + ".step", 1, max) : 1;
        if (from > to)
        {
            throw new SpaceFileException(source, line, $"model: {name}: range {from}..{to} is empty");
        }

        var values = new List<int>();
        for (var x = from; x <= to; x += step)
        {
            values.Add(x);
        }

        return values;
    }
}
