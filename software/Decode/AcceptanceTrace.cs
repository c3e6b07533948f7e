using System.Globalization;

namespace HwGen.Software.Decode;

/// <summary>
/// An acceptance trace for big-little decoding (<c>bild:...,accept=FILE</c>): one line per verification, which drafted
/// tokens the large model keeps. It replaces both policies, so a schedule can be driven at a chosen acceptance rate
/// (with seeded synthetic weights the token choices carry no meaning).
/// </summary>
/// <remarks>
/// A line is a flag per drafted token, <c>1</c> kept and <c>0</c> rejected, at most k of them: <c>1110</c> = the small
/// model drafted 4, the large kept 3 and rejected the 4th (rollback); <c>1111</c> = 4 drafted, all kept; <c>11</c> = the
/// small model fell back after 2 drafts, both kept; <c>-</c> = it fell back before drafting any (the large model decodes
/// one token). Kept tokens form a prefix: a 1 after a 0 is an error, and a 0 can only be last. Spaces inside a line are
/// ignored; blank lines and text after <c>#</c> are comments. The trace repeats from its first line when it runs out.
/// </remarks>
/// <param name="Lines">Per verification: the flags of its drafted tokens (empty: no drafts).</param>
public sealed record AcceptanceTrace(IReadOnlyList<bool[]> Lines)
{
    /// <summary>Verification <paramref name="round"/>'s flags (the trace repeats).</summary>
    public bool[] Round(int round) => Lines[round % Lines.Count];

    /// <summary>Drafted tokens the trace keeps ÷ drafted tokens, over one pass of the trace.</summary>
    public double AcceptanceRate
    {
        get
        {
            var drafted = Lines.Sum(l => l.Length);
            return drafted == 0 ? 0 : Lines.Sum(l => l.Count(f => f)) / (double)drafted;
        }
    }

    /// <summary>Reads a trace file.</summary>
    /// <exception cref="ArgumentException">The file is missing, unreadable or garbled (named with its line).</exception>
    public static AcceptanceTrace Load(string path, int k)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ArgumentException($"accept={path}: cannot read the acceptance trace ({ex.Message.TrimEnd('.')})");
        }

        return Parse(text, k, "accept=" + path);
    }

    /// <summary>Parses a trace's text; <paramref name="where"/> names it in errors.</summary>
    /// <exception cref="ArgumentException">A garbled line, a line of more than <paramref name="k"/> flags, or no line at all.</exception>
    public static AcceptanceTrace Parse(string text, int k, string where = "acceptance trace")
    {
        ArgumentNullException.ThrowIfNull(text);
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<bool[]>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var line = (hash < 0 ? raw : raw[..hash]).Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\t", string.Empty, StringComparison.Ordinal).TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            string Where() => string.Create(inv, $"{where} line {number}: '{line}'");
            if (line == "-")
            {
                lines.Add([]);
                continue;
            }

            if (line.Any(c => c is not ('0' or '1')))
            {
                throw new ArgumentException($"{Where()} is not a flag per drafted token (1 kept, 0 rejected, e.g. 1110) or '-' (no drafts)");
            }

            var zero = line.IndexOf('0', StringComparison.Ordinal);
            if (zero >= 0 && zero < line.Length - 1)
            {
                throw new ArgumentException($"{Where()} has flags after the first rejected token (the large model keeps a prefix of the drafts: 1*0 or 1*)");
            }

            if (line.Length > k)
            {
                throw new ArgumentException(string.Create(inv, $"{Where()} has {line.Length} drafted tokens, more than k={k}"));
            }

            lines.Add(line.Select(c => c == '1').ToArray());
        }

        return lines.Count == 0
            ? throw new ArgumentException($"{where}: no verification lines (one line per verification, e.g. 1110 or 1111)")
            : new AcceptanceTrace(lines);
    }
}
