using System.Globalization;

namespace HwGen.Software.Decode;

/// <summary>
/// A step of a batched, k-token generation: each listed sequence appends its tokens (the step's rows, sequence after
/// sequence) and attends over its own cache rows 0..Start + Tokens − 1, causal inside its chunk.
/// </summary>
/// <param name="Sequences">The sequences the step advances, in row order (each at most once).</param>
public sealed record DecodeShape(IReadOnlyList<SequenceStep> Sequences)
{
    /// <summary>Token rows (M of the step's GEMMs).</summary>
    public int Rows => Sequences.Sum(s => s.Tokens);

    /// <summary>Rows of logits (M of the LM head).</summary>
    public int LogitCount => Sequences.Sum(s => s.LogitCount);

    /// <summary>Longest context a sequence attends over.</summary>
    public int Context => Sequences.Max(s => s.End);

    /// <summary>True when every sequence appends one generated token (a decode step, against a prefill chunk or a verification).</summary>
    public bool IsDecode => Sequences.All(s => s.Tokens == 1 && s.PromptTokens == 0);

    /// <summary>Each sequence's first row in the step.</summary>
    public int RowOf(int index) => Sequences.Take(index).Sum(s => s.Tokens);

    /// <summary>
    /// The logits rows, in order: the sequence and the cache row of the token whose next-token logits the row holds.
    /// </summary>
    public IEnumerable<(int Sequence, int Position)> LogitPositions() =>
        Sequences.SelectMany(s => Enumerable.Range(s.End - s.LogitCount, s.LogitCount).Select(p => (s.Sequence, p)));

    /// <summary><c>s0@5+4,s1@3+1</c>: sequence, start, tokens (and <c>!</c> when every row gets logits).</summary>
    public override string ToString() => string.Join(",", Sequences.Select(s => string.Create(CultureInfo.InvariantCulture,
        $"s{s.Sequence}@{s.Start}+{s.Tokens}{(s.Logits == LogitRows.All ? "!" : string.Empty)}")));
}
