using System.Text.RegularExpressions;

namespace HwGen.Models;

/// <summary>
/// Real English sentences from Debian's <c>fortunes-min</c> (BSD licence): the calibration set comes from one
/// file, the evaluation set from the other files, so the two never share a sentence. Order is deterministic.
/// </summary>
public static partial class SentenceCorpus
{
    /// <summary>Where Debian installs the fortunes.</summary>
    public const string FortunesFolder = "/usr/share/games/fortunes";

    /// <summary>The file whose sentences calibrate activation scales.</summary>
    public const string CalibrationFile = "riddles";

    /// <summary>The calibration and evaluation sentences (each at most <paramref name="maxPerSet"/>), or an error when the package is missing.</summary>
    public static (IReadOnlyList<string> Calibration, IReadOnlyList<string> Evaluation) Load(int calibrationCount, int evaluationCount, string folder = FortunesFolder)
    {
        if (!Directory.Exists(folder))
        {
            throw new ModelException($"{folder}: not found; install Debian's fortunes-min (apt-get install fortunes-min) for real sentences");
        }

        var calibration = Sentences(Path.Combine(folder, CalibrationFile)).Take(calibrationCount).ToList();
        var evaluation = Directory.GetFiles(folder)
            .Where(f => Path.GetExtension(f).Length == 0 && Path.GetFileName(f) != CalibrationFile)
            .Order(StringComparer.Ordinal)
            .SelectMany(Sentences)
            .Except(calibration, StringComparer.Ordinal)
            .Take(evaluationCount)
            .ToList();
        return (calibration, evaluation);
    }

    /// <summary>The sentences of one fortune file: each fortune (between '%' lines) split at sentence ends, 4 to 60 words.</summary>
    public static IEnumerable<string> Sentences(string file)
    {
        var text = File.ReadAllText(file);
        foreach (var fortune in text.Split("\n%\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var flat = Whitespace().Replace(fortune.Replace("\t", " ", StringComparison.Ordinal), " ").Trim();
            foreach (var s in SentenceEnd().Split(flat))
            {
                var t = s.Trim();
                var words = t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                if (words is >= 4 and <= 60 && !t.StartsWith("--", StringComparison.Ordinal) && t.Any(char.IsLetter))
                {
                    yield return t;
                }
            }
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z""'])")]
    private static partial Regex SentenceEnd();
}
