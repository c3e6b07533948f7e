using System.Globalization;

namespace HwGen.Software.Decode;

/// <summary>
/// The host's view of a generation: per sequence its tokens (the prompt, then the chosen or drafted ones) and how many
/// of them the cache holds. A step feeds each sequence's tokens from its cached length on; a token chosen from the
/// logits of a sequence's last token is appended. <see cref="Rollback"/> truncates a sequence (its cache length goes
/// back; the rows past it stay in DRAM until later steps overwrite them, and no step reads them: attention covers rows
/// 0..Start + k − 1 only).
/// </summary>
public sealed class DecodeHistory
{
    private readonly DecodeModel model;
    private readonly List<int>[] tokens;
    private readonly int[] cached;

    /// <summary>A generation of <paramref name="m"/> before its first step: the prompts, nothing cached.</summary>
    public DecodeHistory(DecodeModel m)
    {
        model = m ?? throw new ArgumentNullException(nameof(m));
        tokens = m.Prompts.Select(p => p.ToList()).ToArray();
        cached = new int[m.Batch];
    }

    /// <summary>Sequence <paramref name="b"/>'s tokens.</summary>
    public IReadOnlyList<int> Tokens(int b) => tokens[b];

    /// <summary>Cache rows sequence <paramref name="b"/> holds (its context length).</summary>
    public int Cached(int b) => cached[b];

    /// <summary>Appends tokens to sequence <paramref name="b"/> (drafted ones, or a correction after a rollback); the next step feeds them.</summary>
    /// <exception cref="ArgumentException">A token outside the vocabulary.</exception>
    public void Draft(int b, IEnumerable<int> drafted)
    {
        ArgumentNullException.ThrowIfNull(drafted);
        var list = drafted.ToList();
        if (list.Any(t => t < 0 || t >= model.Vocab))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"drafted token {list.First(t => t < 0 || t >= model.Vocab)} is not in 0..{model.Vocab - 1}"), nameof(drafted));
        }

        tokens[b].AddRange(list);
    }

    /// <summary>Truncates sequence <paramref name="b"/> to its first <paramref name="length"/> tokens; its cache length goes back with it.</summary>
    /// <exception cref="ArgumentException">A length of 0 or beyond the tokens the sequence has.</exception>
    public void Rollback(int b, int length)
    {
        if (length < 1 || length > tokens[b].Count)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"rollback of sequence {b} to {length} tokens: it has {tokens[b].Count} (keep 1..{tokens[b].Count})"), nameof(length));
        }

        tokens[b].RemoveRange(length, tokens[b].Count - length);
        cached[b] = Math.Min(cached[b], length);
    }

    /// <summary>
    /// A step that appends <paramref name="count"/>[b] tokens to sequence b (0: sequence b sits the step out), with logits
    /// for every row when <paramref name="allLogits"/>, else for the last row of a sequence that reaches its last token.
    /// </summary>
    /// <exception cref="ArgumentException">More tokens than a sequence has uncached.</exception>
    public DecodeShape Shape(IReadOnlyList<int> count, bool allLogits = false)
    {
        ArgumentNullException.ThrowIfNull(count);
        var list = new List<SequenceStep>();
        for (var b = 0; b < count.Count; b++)
        {
            if (count[b] == 0)
            {
                continue;
            }

            if (count[b] < 0 || cached[b] + count[b] > tokens[b].Count)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"sequence {b} has {tokens[b].Count - cached[b]} uncached tokens, not {count[b]}"), nameof(count));
            }

            var end = cached[b] + count[b] == tokens[b].Count;
            list.Add(new SequenceStep(b, cached[b], count[b], allLogits ? LogitRows.All : end ? LogitRows.Last : LogitRows.None)
            {
                PromptTokens = Math.Max(0, Math.Min(model.Prompts[b].Length, cached[b] + count[b]) - cached[b]),
            });
        }

        return new DecodeShape(list);
    }

    /// <summary>
    /// The next step of the automatic schedule, or null when every sequence is done: each sequence appends its uncached
    /// tokens, at most <see cref="DecodeModel.Chunk"/> of them (the prompt in chunks, then one chosen token a step), until
    /// it has fed its prompt and <see cref="DecodeModel.Generate"/> generated tokens.
    /// </summary>
    public DecodeShape? Next()
    {
        var count = Enumerable.Range(0, model.Batch).Select(b =>
        {
            var pending = Math.Min(tokens[b].Count, model.Prompts[b].Length + model.Generate) - cached[b];
            return Math.Max(0, Math.Min(pending, model.Chunk ?? pending));
        }).ToArray();
        return count.All(c => c == 0) ? null : Shape(count);
    }

    /// <summary>The tokens a step feeds, in row order.</summary>
    public int[] Feed(DecodeShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return shape.Sequences.SelectMany(q => tokens[q.Sequence].Skip(q.Start).Take(q.Tokens)).ToArray();
    }

    /// <summary>
    /// After a step: its sequences hold their new rows, and each sequence whose last token got logits gets the greedy
    /// choice appended. Returns the greedy choice of every logits row.
    /// </summary>
    public int[] Advance(DecodeShape shape, IReadOnlyList<long[]> logits)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(logits);
        var chosen = logits.Select(DecodeModel.Argmax).ToArray();
        var row = 0;
        foreach (var q in shape.Sequences)
        {
            cached[q.Sequence] = q.End;
            row += q.LogitCount;
            if (q.LogitCount > 0 && q.End == tokens[q.Sequence].Count)
            {
                tokens[q.Sequence].Add(chosen[row - 1]);
            }
        }

        return chosen;
    }
}
