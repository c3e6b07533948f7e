using System.Globalization;

namespace HwGen.Explore;

/// <summary>
/// Accuracy per model shape, from the user's own architecture search, as a CSV: a header naming some of the
/// model-shape keys (layers, hidden, heads, ffn, seq) and <c>accuracy</c>, then one line per shape. A point takes the
/// accuracy of the line whose named keys all equal its shape; the front then maximizes accuracy too.
/// </summary>
public sealed class AccuracyTable
{
    private readonly List<(Dictionary<string, string> Shape, double Accuracy)> rows;

    private AccuracyTable(List<(Dictionary<string, string>, double)> rows, string text)
    {
        this.rows = rows;
        Text = text;
    }

    /// <summary>The CSV's text (part of a point's identifier, so a changed table re-evaluates the sweep).</summary>
    public string Text { get; }

    /// <summary>Reads <paramref name="path"/>; <paramref name="source"/> and <paramref name="line"/> name the space file's <c>accuracy:</c> key in errors.</summary>
    /// <exception cref="SpaceFileException">The file is missing or a line is malformed (naming the CSV's line).</exception>
    public static AccuracyTable Load(string path, string source, int line)
    {
        if (!File.Exists(path))
        {
            throw new SpaceFileException(source, line, $"accuracy: {path} does not exist");
        }

        var lines = File.ReadAllLines(path).Select((text, i) => (Text: text.Trim(), Line: i + 1)).Where(l => l.Text.Length > 0 && !l.Text.StartsWith('#')).ToList();
        var header = lines.Count == 0 ? [] : lines[0].Text.Split(',').Select(h => h.Trim()).ToArray();
        var keys = ModelSpace.Keys.Select(k => k.Key).ToHashSet(StringComparer.Ordinal);
        if (!header.Contains("accuracy") || header.Any(h => h != "accuracy" && !keys.Contains(h)) || header.Distinct().Count() != header.Length)
        {
            throw new SpaceFileException(path, 1, $"accuracy: the header must name distinct model-shape keys ({string.Join(", ", keys)}) and accuracy, got '{string.Join(',', header)}'");
        }

        var rows = new List<(Dictionary<string, string>, double)>();
        foreach (var (text, at) in lines.Skip(1))
        {
            var cells = text.Split(',').Select(c => c.Trim()).ToArray();
            if (cells.Length != header.Length)
            {
                throw new SpaceFileException(path, at, $"accuracy: {cells.Length} cells, the header has {header.Length}");
            }

            var shape = new Dictionary<string, string>(StringComparer.Ordinal);
            double accuracy = 0;
            for (var i = 0; i < header.Length; i++)
            {
                if (header[i] == "accuracy")
                {
                    if (!double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out accuracy) || !double.IsFinite(accuracy))
                    {
                        throw new SpaceFileException(path, at, $"accuracy: '{cells[i]}' is not a number");
                    }
                }
                else if (int.TryParse(cells[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                {
                    shape[ModelSpace.Prefix + header[i]] = v.ToString(CultureInfo.InvariantCulture);
                }
                else
                {
                    throw new SpaceFileException(path, at, $"accuracy: {header[i]} '{cells[i]}' is not an integer");
                }
            }

            rows.Add((shape, accuracy));
        }

        return new AccuracyTable(rows, File.ReadAllText(path));
    }

    /// <summary>The accuracy of the shape in <paramref name="values"/> (a point's values), or null when no line matches.</summary>
    public double? Of(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (shape, accuracy) in rows)
        {
            if (shape.All(kv => values.TryGetValue(kv.Key, out var v) && v == kv.Value))
            {
                return accuracy;
            }
        }

        return null;
    }
}
