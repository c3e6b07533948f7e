namespace HwGen.Software.Decode;

/// <summary>One sequence's part of a step: its tokens at cache rows <paramref name="Start"/>..Start + Tokens − 1.</summary>
/// <param name="Sequence">The sequence of the batch.</param>
/// <param name="Start">Cache rows it holds before the step (its context length).</param>
/// <param name="Tokens">Tokens the step appends (k).</param>
/// <param name="Logits">Rows whose logits the step computes.</param>
public sealed record SequenceStep(int Sequence, int Start, int Tokens, LogitRows Logits)
{
    /// <summary>Rows of logits.</summary>
    public int LogitCount => Logits switch { LogitRows.None => 0, LogitRows.Last => 1, _ => Tokens };

    /// <summary>Cache rows after the step.</summary>
    public int End => Start + Tokens;

    /// <summary>How many of the tokens are prompt tokens (a prefill chunk), against generated or drafted ones.</summary>
    public int PromptTokens { get; init; }
}
