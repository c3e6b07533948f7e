using System.Globalization;
using HwGen.Generator.Config;
using HwGen.Software.Workloads;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HwGen.Explore;

/// <summary>
/// A design space, as a YAML file:
/// <code>
/// base: ../configs/default.yaml        # optional; every key not swept comes from it (relative to this file)
/// workload: bert-base:seq=128          # what each point runs (any sim workload)
/// sweep:                               # configuration keys (README reference) and their values
///   array.rows: [8, 16, 32]
///   scratchpad.kib: {from: 64, to: 512} # powers of two for power-of-two keys, else every integer
///   array.dataflow: [ws, both]
/// </code>
/// An optional <c>model:</c> mapping sweeps the layer workload's shape too (<see cref="ModelSpace"/>; then <c>sweep</c> may
/// be left out to search shapes on the base configuration alone).
/// Every point of the cartesian product of the sweep is one configuration. Unknown keys, values of the wrong type or out
/// of a key's range are errors naming the key and the line; combinations the configuration rules refuse (tiles that do
/// not divide the array, say) are points reported as invalid, not errors.
/// </summary>
public sealed record SpaceFile
{
    /// <summary>Most points a space may have.</summary>
    public const int MaxPoints = 100_000;

    /// <summary>The base configuration file (absolute), or null for the keys' defaults.</summary>
    public string? BasePath { get; init; }

    /// <summary>The workload every point runs.</summary>
    public required WorkloadSpec Workload { get; init; }

    /// <summary>The swept keys in file order, each with its values in file order (as YAML scalars).</summary>
    public required IReadOnlyList<(ConfigKey Key, IReadOnlyList<string> Values)> Sweep { get; init; }

    /// <summary>The model-shape keys (<c>model.hidden</c>, ...) in file order with their values; empty without <c>model:</c>.</summary>
    public IReadOnlyList<(string Key, IReadOnlyList<string> Values)> Model { get; init; } = [];

    /// <summary>Accuracy per model shape (<c>accuracy:</c>, a CSV), or null.</summary>
    public AccuracyTable? Accuracy { get; init; }

    /// <summary>Every swept name with its values: the configuration keys, then the model-shape keys (varying fastest).</summary>
    public IReadOnlyList<(string Key, IReadOnlyList<string> Values)> Axes => [.. Sweep.Select(s => (s.Key.Path, s.Values)), .. Model];

    /// <summary>Number of points.</summary>
    public long PointCount => Axes.Aggregate(1L, (n, s) => n * s.Values.Count);

    /// <summary>Reads and checks a space file.</summary>
    /// <exception cref="SpaceFileException">Anything wrong, naming the key and line.</exception>
    public static SpaceFile Load(string path)
    {
        var full = Path.GetFullPath(path);
        return Parse(File.ReadAllText(full), full);
    }

    /// <summary>Parses space text; <paramref name="source"/> names it in errors and anchors a relative base path.</summary>
    public static SpaceFile Parse(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new SpaceFileException(source, (int)ex.Start.Line, $"not valid YAML: {ex.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SpaceFileException(source, 1, "a space file is a mapping with the keys base, workload and sweep");
        }

        string? basePath = null;
        WorkloadSpec? workload = null;
        List<(ConfigKey, IReadOnlyList<string>)>? sweep = null;
        YamlNode? model = null;
        AccuracyTable? accuracy = null;
        var accuracyLine = 0;
        foreach (var (k, v) in root.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? string.Empty;
            var line = (int)k.Start.Line;
            switch (name)
            {
                case "base":
                    var b = Scalar(v, source, "base");
                    basePath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source) ?? ".", b));
                    if (!File.Exists(basePath))
                    {
                        throw new SpaceFileException(source, line, $"base: {basePath} does not exist");
                    }

                    break;
                case "workload":
                    try
                    {
                        workload = WorkloadSpec.Parse(Scalar(v, source, "workload"));
                    }
                    catch (FormatException ex)
                    {
                        throw new SpaceFileException(source, line, $"workload: {ex.Message}");
                    }

                    break;
                case "sweep":
                    sweep = ParseSweep(v, source);
                    break;
                case "model":
                    model = v;
                    break;
                case "accuracy":
                    accuracy = AccuracyTable.Load(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source) ?? ".", Scalar(v, source, "accuracy"))), source, line);
                    accuracyLine = line;
                    break;
                default:
                    throw new SpaceFileException(source, line, $"unknown key '{name}' (expected base, workload, sweep, model, accuracy)");
            }
        }

        if (workload is null)
        {
            throw new SpaceFileException(source, 1, "workload: missing (e.g. workload: bert-base:seq=128)");
        }

        var shapes = model is null ? [] : ModelSpace.Parse(model, workload, source);
        if ((sweep is null || sweep.Count == 0) && shapes.Count == 0)
        {
            throw new SpaceFileException(source, 1, "sweep: missing or empty (a mapping of configuration keys to value lists; or give model: to search model shapes)");
        }

        if (accuracy is not null && shapes.Count == 0)
        {
            throw new SpaceFileException(source, accuracyLine, "accuracy: gives accuracy per model shape, so it needs model: (the shapes to search)");
        }

        var space = new SpaceFile { BasePath = basePath, Workload = workload, Sweep = sweep ?? [], Model = shapes, Accuracy = accuracy };
        if (space.PointCount > MaxPoints)
        {
            throw new SpaceFileException(source, (int)root.Start.Line, $"sweep: {space.PointCount:#,0} points; at most {MaxPoints:#,0}");
        }

        return space;
    }

    private static List<(ConfigKey, IReadOnlyList<string>)> ParseSweep(YamlNode node, string source)
    {
        if (node is not YamlMappingNode map)
        {
            throw new SpaceFileException(source, (int)node.Start.Line, "sweep: expected a mapping of configuration keys to value lists");
        }

        var result = new List<(ConfigKey, IReadOnlyList<string>)>();
        foreach (var (k, v) in map.Children)
        {
            var path = (k as YamlScalarNode)?.Value ?? string.Empty;
            var line = (int)k.Start.Line;
            var key = ConfigSchema.Find(path);
            if (key is null || key == ConfigSchema.Name)
            {
                throw new SpaceFileException(source, line, $"sweep: '{path}' is not a configuration key that can be swept (see the README's configuration reference)");
            }

            if (result.Any(r => r.Item1 == key))
            {
                throw new SpaceFileException(source, line, $"sweep: '{path}' appears twice");
            }

            var values = v switch
            {
                YamlSequenceNode seq => seq.Children.Select(c => Scalar(c, source, path)).ToList(),
                YamlMappingNode range => Range(range, key, source, path),
                YamlScalarNode s => [s.Value ?? string.Empty],
                _ => throw new SpaceFileException(source, line, $"sweep: {path}: expected a list of values or {{from: a, to: b}}"),
            };
            if (values.Count == 0)
            {
                throw new SpaceFileException(source, line, $"sweep: {path}: no values");
            }

            foreach (var value in values)
            {
                if (Check(key, value) is { } problem)
                {
                    throw new SpaceFileException(source, line, $"sweep: {path}: {problem}");
                }
            }

            if (values.Distinct(StringComparer.Ordinal).Count() != values.Count)
            {
                throw new SpaceFileException(source, line, $"sweep: {path}: a value is listed twice");
            }

            result.Add((key, values));
        }

        return result;
    }

    /// <summary>Why a value is not valid for a key on its own (type and range), or null.</summary>
    private static string? Check(ConfigKey key, string value)
    {
        var parsed = key.Parse(value, quoted: false, out var problem);
        if (parsed is null)
        {
            return problem ?? $"'{value}' is not a {key.TypeName}";
        }

        key.Resolve(parsed, _ => 0, out problem); // a given value is checked on its own; defaults are not consulted
        return problem;
    }

    private static List<string> Range(YamlMappingNode node, ConfigKey key, string source, string path)
    {
        var line = (int)node.Start.Line;
        if (key is not IntKey ik)
        {
            throw new SpaceFileException(source, line, $"sweep: {path}: a range needs an integer key; list the values instead");
        }

        int Bound(string name)
        {
            var n = node.Children.FirstOrDefault(c => (c.Key as YamlScalarNode)?.Value == name).Value;
            return n is YamlScalarNode { Value: { } s } && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x)
                ? x
                : throw new SpaceFileException(source, line, $"sweep: {path}: a range needs integer 'from' and 'to'");
        }

        var (from, to) = (Bound("from"), Bound("to"));
        if (from > to || from < ik.Min || to > ik.Max)
        {
            throw new SpaceFileException(source, line, $"sweep: {path}: range {from}..{to} is outside {ik.Min}..{ik.Max}");
        }

        if (ik.PowerOfTwo && (from & (from - 1)) != 0)
        {
            throw new SpaceFileException(source, line, $"sweep: {path}: {path} takes powers of two, so the range must start at one");
        }

        var values = new List<string>();
        for (long x = from; x <= to; x = ik.PowerOfTwo ? x * 2 : x + 1)
        {
            values.Add(x.ToString(CultureInfo.InvariantCulture));
        }

        return values;
    }

    private static string Scalar(YamlNode node, string source, string what) =>
        node is YamlScalarNode { Value: { } v }
            ? v
            : throw new SpaceFileException(source, (int)node.Start.Line, $"{what}: expected a single value");
}

/// <summary>A space file is wrong: <see cref="Exception.Message"/> is one line naming the file, the line and the key.</summary>
public sealed class SpaceFileException(string source, int line, string problem)
    : Exception(string.Create(CultureInfo.InvariantCulture, $"{source}:{line}: {problem}"));
