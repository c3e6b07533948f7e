using System.Globalization;

namespace HwGen.Software.Layers;

/// <summary>
/// One Transformer layer: hidden width, heads, FFN width, sequence length, causal mask and LayerNorm placement
/// (post-LN: BERT/ViT, LayerNorm after each residual add; pre-LN: GPT-2, LayerNorm before attention and FFN).
/// </summary>
/// <param name="Name">Preset name, e.g. <c>bert-tiny</c>.</param>
/// <param name="Hidden">Model width.</param>
/// <param name="Heads">Attention heads (Hidden must be a multiple).</param>
/// <param name="Ffn">FFN inner width.</param>
/// <param name="Seq">Sequence length (tokens).</param>
/// <param name="Causal">Causal attention mask (decoders).</param>
/// <param name="PreLayerNorm">LayerNorm before attention and FFN (GPT-2) instead of after the residual adds.</param>
public sealed record LayerSpec(string Name, int Hidden, int Heads, int Ffn, int Seq, bool Causal, bool PreLayerNorm)
{
    /// <summary>
    /// Attention with the late-normalized Softmax (<c>IntLateSoftmax</c>, workload parameter <c>softmax_late=1</c>): P is
    /// u relative to each row's maximum and each P·V output row is divided by Σu (docs/numerics.md).
    /// </summary>
    public bool LateSoftmax { get; init; }

    /// <summary>Preset names, in the order of the design brief.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["bert-tiny", "bert-mini", "bert-base", "bert-large", "gpt2-small", "gpt2-medium", "vit-b16"];

    /// <summary>
    /// Width of one head when it is not Hidden / Heads: a pruned layer keeps fewer heads of the original width (set by
    /// <see cref="Prune"/>); null otherwise.
    /// </summary>
    public int? HeadSize { get; private init; }

    /// <summary>Width of one head.</summary>
    public int HeadDim => HeadSize ?? Hidden / Heads;

    /// <summary>Columns of Q, K, V and O, and rows of Wo: Heads·HeadDim (Hidden unless heads were pruned).</summary>
    public int AttentionWidth => Heads * HeadDim;

    /// <summary>
    /// This layer after structured pruning: <paramref name="heads"/> attention heads of the present head width and an FFN
    /// of <paramref name="ffn"/> filters. The residual stream (Hidden) is unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">Heads or filters outside 1..the present count.</exception>
    public LayerSpec Prune(int heads, int ffn)
    {
        if (heads < 1 || heads > Heads)
        {
            throw new ArgumentException($"{Name}: a pruned layer keeps 1..{Heads} heads, not {heads}", nameof(heads));
        }

        if (ffn < 1 || ffn > Ffn)
        {
            throw new ArgumentException($"{Name}: a pruned layer keeps 1..{Ffn} FFN filters, not {ffn}", nameof(ffn));
        }

        if (heads == Heads && ffn == Ffn)
        {
            return this;
        }

        var dh = HeadDim;
        return this with { Heads = heads, Ffn = ffn, HeadSize = heads * dh == Hidden ? null : dh, Unpruned = Unpruned ?? (Heads, Ffn) };
    }

    /// <summary>
    /// A layer of <paramref name="heads"/> heads of width <paramref name="headDim"/> (an imported layer, pruned when
    /// heads·headDim ≠ hidden).
    /// </summary>
    /// <exception cref="ArgumentException">A width, head count, head width or FFN width below 1.</exception>
    public static LayerSpec Create(string name, int hidden, int heads, int headDim, int ffn, int seq, bool causal, bool preLayerNorm)
    {
        if (hidden < 1 || heads < 1 || headDim < 1 || ffn < 1 || seq < 1)
        {
            throw new ArgumentException($"{name}: hidden {hidden}, {heads} heads of {headDim}, FFN {ffn} and {seq} tokens must all be at least 1");
        }

        var spec = new LayerSpec(name, hidden, heads, ffn, seq, causal, preLayerNorm);
        return heads * headDim == hidden ? spec : spec with { HeadSize = headDim };
    }

    /// <summary>The heads and FFN filters before <see cref="Prune"/>, or null for a layer that was not pruned.</summary>
    public (int Heads, int Ffn)? Unpruned { get; private init; }

    /// <summary>True when <paramref name="other"/> has this layer's residual stream (width, tokens, packing, mask, LayerNorm placement), so it can follow it in a stack.</summary>
    public bool SharesStream(LayerSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Hidden == Hidden && other.Seq == Seq && other.Causal == Causal && other.PreLayerNorm == PreLayerNorm
            && (other.Packed ?? []).SequenceEqual(Packed ?? []);
    }

    /// <summary>
    /// Sequences packed back to back (their lengths, summing to <see cref="Seq"/>), or null for one sequence. The
    /// projections and the FFN see all <see cref="Seq"/> tokens as one M; attention runs within each sequence only
    /// (token i of a sequence attends to the tokens of that sequence), so there is no padding and no MAC across
    /// sequences. Set it with <see cref="Pack"/>.
    /// </summary>
    public IReadOnlyList<int>? Packed { get; private init; }

    /// <summary>The sequences attention runs over: <see cref="Packed"/>, or the whole <see cref="Seq"/>.</summary>
    public IReadOnlyList<int> Segments => Packed ?? [Seq];

    /// <summary>
    /// Useful multiply-accumulates of the layer's GEMMs: attention counts each sequence's own tokens only, and with a
    /// causal mask only the keys each query sees (<see cref="AttentionMacs"/>).
    /// </summary>
    public long Macs => ((long)Seq * Hidden * AttentionWidth * 4) + (2L * Heads * Segments.Sum(n => AttentionMacs(n, HeadDim, Causal))) + (2L * Seq * Hidden * Ffn);

    /// <summary>
    /// Useful multiply-accumulates of QKᵀ (or of P·V) of one head over <paramref name="n"/> tokens: n²·headDim, or with a
    /// causal mask n(n+1)/2·headDim (query i sees keys 0..i; the masked products are zeros, not work).
    /// </summary>
    public static long AttentionMacs(int n, int headDim, bool causal) => (causal ? (long)n * (n + 1) / 2 : (long)n * n) * headDim;

    /// <summary>This layer over sequences of <paramref name="lengths"/> tokens packed back to back.</summary>
    /// <exception cref="ArgumentException">No lengths, or a length below 1.</exception>
    public LayerSpec Pack(IReadOnlyList<int> lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        if (lengths.Count == 0 || lengths.Any(n => n < 1))
        {
            throw new ArgumentException("packed sequences need at least one length, each at least 1", nameof(lengths));
        }

        return this with { Seq = lengths.Sum(), Packed = lengths.Count == 1 ? null : lengths.ToArray() };
    }

    /// <summary>The first token of each of <see cref="Segments"/>.</summary>
    public IReadOnlyList<int> SegmentStarts()
    {
        var starts = new int[Segments.Count];
        for (var b = 1; b < starts.Length; b++)
        {
            starts[b] = starts[b - 1] + Segments[b - 1];
        }

        return starts;
    }

    /// <summary>The name of sequence <paramref name="b"/>'s attention probabilities: <c>P</c>, or <c>S{b}.P</c> when packed.</summary>
    public string ProbabilityTensor(int b) => Packed is null ? "P" : "S" + b.ToString(CultureInfo.InvariantCulture) + ".P";

    /// <summary>A preset; <paramref name="seq"/> overrides its default sequence length (128; vit-b16: 197).</summary>
    /// <exception cref="ArgumentException">Unknown preset name or a sequence length below 1.</exception>
    public static LayerSpec Preset(string name, int? seq = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var spec = name switch
        {
            "bert-tiny" => new LayerSpec(name, 128, 2, 512, 128, false, false),
            "bert-mini" => new LayerSpec(name, 256, 4, 1024, 128, false, false),
            "bert-base" => new LayerSpec(name, 768, 12, 3072, 128, false, false),
            "bert-large" => new LayerSpec(name, 1024, 16, 4096, 128, false, false),
            "gpt2-small" => new LayerSpec(name, 768, 12, 3072, 128, true, true),
            "gpt2-medium" => new LayerSpec(name, 1024, 16, 4096, 128, true, true),
            "vit-b16" => new LayerSpec(name, 768, 12, 3072, 197, false, false),
            _ => throw new ArgumentException($"unknown layer preset '{name}'; expected one of {string.Join(", ", PresetNames)}", nameof(name)),
        };
        if (seq is { } s)
        {
            if (s < 1)
            {
                throw new ArgumentException($"the sequence length must be at least 1, got {s}", nameof(seq));
            }

            spec = spec with { Seq = s };
        }

        return spec;
    }

    /// <summary>
    /// Splits attention probabilities laid out sequence after sequence (sequence b: Heads·n_b rows of n_b) into one
    /// named tensor per sequence (<see cref="ProbabilityTensor"/>); one tensor <c>P</c> when <paramref name="spec"/> is
    /// null or not packed.
    /// </summary>
    public static IEnumerable<(string Name, T[] Values)> SplitProbabilities<T>(LayerSpec? spec, T[] p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (spec?.Packed is null)
        {
            yield return ("P", p);
            yield break;
        }

        var at = 0;
        for (var b = 0; b < spec.Segments.Count; b++)
        {
            var size = spec.Heads * spec.Segments[b] * spec.Segments[b];
            yield return (spec.ProbabilityTensor(b), p[at..(at + size)]);
            at += size;
        }
    }

    /// <summary>Short text for reports.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name} hidden={Hidden} heads={Heads}{(HeadSize is { } dh ? "x" + dh : "")} ffn={Ffn} seq={Seq}{(Packed is null ? "" : " packed=" + string.Join('+', Packed))}{(Causal ? " causal" : "")}{(PreLayerNorm ? " pre-ln" : " post-ln")}{(LateSoftmax ? " late-softmax" : "")}");
}
