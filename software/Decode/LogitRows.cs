namespace HwGen.Software.Decode;

/// <summary>Which of a sequence's new rows a step computes logits for.</summary>
public enum LogitRows
{
    /// <summary>None (a prefill chunk before the prompt's end).</summary>
    None,

    /// <summary>The last row (the next token after the chunk).</summary>
    Last,

    /// <summary>Every row (the verification pass of speculative decoding: the prediction after each drafted token).</summary>
    All,
}
