namespace HwGen.Models;

/// <summary>How token states become one sentence embedding.</summary>
public enum Pooling
{
    /// <summary>Mean over the sentence's tokens (sentence-transformers' usual choice), then L2-normalized.</summary>
    Mean,

    /// <summary>The first ([CLS]) token's state, L2-normalized.</summary>
    Cls,
}
