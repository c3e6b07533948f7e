using Microsoft.ML.Tokenizers;

namespace HwGen.Models;

/// <summary>Lower-case WordPiece tokenization (BERT's) with the model's vocabulary, adding [CLS] and [SEP].</summary>
public sealed class TextEncoder
{
    private readonly BertTokenizer tokenizer;

    /// <summary>Loads the vocabulary file (one token per line).</summary>
    public TextEncoder(string vocabPath, int maxTokens)
    {
        if (!File.Exists(vocabPath))
        {
            throw new ModelException($"{vocabPath}: no vocabulary file (one WordPiece token a line)");
        }

        tokenizer = BertTokenizer.Create(vocabPath, new BertOptions { LowerCaseBeforeTokenization = true });
        MaxTokens = maxTokens;
    }

    /// <summary>The model's position count: longer sentences are cut to this many tokens (ending in [SEP]).</summary>
    public int MaxTokens { get; }

    /// <summary>Token ids of a sentence with [CLS] and [SEP]; <paramref name="truncated"/> says whether it was cut.</summary>
    public int[] Encode(string text, out bool truncated)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = tokenizer.EncodeToIds(text, true, true, true).ToArray();
        truncated = ids.Length > MaxTokens;
        if (!truncated)
        {
            return ids;
        }

        var cut = ids.AsSpan(0, MaxTokens).ToArray();
        cut[^1] = tokenizer.SeparatorTokenId;
        return cut;
    }
}
