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
    /// <summary>Preset names, in the order of the design brief.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["bert-tiny", "bert-mini", "bert-base", "bert-large", "gpt2-small", "vit-b16"];

    /// <summary>Width of one head.</summary>
    public int HeadDim => Hidden / Heads;

    /// <summary>Multiply-accumulates of the layer's GEMMs.</summary>
    public long Macs => ((long)Seq * Hidden * Hidden * 4) + (2L * Seq * Seq * Hidden) + (2L * Seq * Hidden * Ffn);

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

    /// <summary>Short text for reports.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name} hidden={Hidden} heads={Heads} ffn={Ffn} seq={Seq}{(Causal ? " causal" : "")}{(PreLayerNorm ? " pre-ln" : " post-ln")}");
}
