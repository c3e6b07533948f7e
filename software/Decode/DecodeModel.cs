using System.Globalization;
using HwGen.Software.Layers;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Workloads;

namespace HwGen.Software.Decode;

/// <summary>
/// A decoder that generates text: <see cref="Layers"/> causal pre-LN layers (a <see cref="QuantizedLayer.CreateStack"/>
/// stack calibrated on the prompt), the final LayerNorm (LN1 of one more layer of the stack, so its input scale is the
/// stack's output scale), a seeded int8 token embedding <see cref="Embedding"/> (Vocab × Hidden, at the first layer's input
/// scale; no position embedding) and an LM head tied to it (logits = LN_f(y)·Embeddingᵀ, requantized to int8).
/// </summary>
public sealed record DecodeModel
{
    /// <summary>Longest context (prompt + generated tokens) a decoder takes, as GPT-2's position table.</summary>
    public const int MaxContext = 1024;

    /// <summary>GPT-2's vocabulary.</summary>
    public const int Gpt2Vocab = 50257;

    /// <summary>The workload text (<c>gpt2-small:prompt=128,generate=32</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The layer shape (Seq = the prompt length).</summary>
    public required LayerSpec Spec { get; init; }

    /// <summary>The decoder layers.</summary>
    public required IReadOnlyList<QuantizedLayer> Layers { get; init; }

    /// <summary>The final LayerNorm's γ, β and constants (from LN1 of the stack's extra layer).</summary>
    public required QuantizedLayer Final { get; init; }

    /// <summary>Tokens in the vocabulary.</summary>
    public required int Vocab { get; init; }

    /// <summary>Token embeddings, Vocab × Hidden int8, row-major.</summary>
    public required sbyte[] Embedding { get; init; }

    /// <summary>The LM head's requantization of LN_f(y)·Embeddingᵀ.</summary>
    public required Requantization LogitRequant { get; init; }

    /// <summary>The prompt's token ids.</summary>
    public required int[] Prompt { get; init; }

    /// <summary>Decode steps after the prefill.</summary>
    public required int Generate { get; init; }

    /// <summary>Cache rows: the prompt and one row per decode step.</summary>
    public int Context => Prompt.Length + Generate;

    /// <summary>True when <paramref name="spec"/> asks for generation (<c>generate=</c> or <c>prompt=</c>).</summary>
    public static bool IsDecode(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Parameters.ContainsKey("generate") || spec.Parameters.ContainsKey("prompt") || spec.Parameters.ContainsKey("vocab");
    }

    /// <summary>
    /// Checks a decode workload's parameters (cheap; before any quantization): the preset must be a causal pre-LN decoder,
    /// <c>prompt</c> and <c>seq</c> are the same thing, <c>generate</c> is required, prompt + generate ≤ <see cref="MaxContext"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A bad parameter, named.</exception>
    public static (LayerSpec Spec, int Prompt, int Generate, int Vocab, int Layers) Check(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var inv = CultureInfo.InvariantCulture;
        if (!LayerSpec.PresetNames.Contains(spec.Kind) || !LayerSpec.Preset(spec.Kind).PreLayerNorm || !LayerSpec.Preset(spec.Kind).Causal)
        {
            throw new ArgumentException($"workload '{spec}': generation needs a causal pre-LN decoder preset (gpt2-small, gpt2-medium), not '{spec.Kind}'");
        }

        if (spec.Parameters.ContainsKey("seq") && spec.Parameters.ContainsKey("prompt"))
        {
            throw new ArgumentException($"workload '{spec}': give prompt= or seq=, not both (with generate=, seq is the prompt length)");
        }

        if (spec.Get("causal", 1) != 1)
        {
            throw new ArgumentException($"workload '{spec}': causal=0 cannot generate text (a decoder attends to earlier tokens only)");
        }

        if (!spec.Parameters.ContainsKey("generate"))
        {
            throw new ArgumentException($"workload '{spec}': prompt= and vocab= need generate=N (decode steps after the prompt)");
        }

        var prompt = (int)spec.Get("prompt", spec.Get("seq", 128));
        var generate = (int)spec.Get("generate");
        if (prompt + generate > MaxContext)
        {
            throw new ArgumentException(string.Create(inv, $"workload '{spec}': prompt + generate = {prompt + generate} exceeds the context of {MaxContext} tokens"));
        }

        return (LayerSpec.Preset(spec.Kind, prompt), prompt, generate, (int)spec.Get("vocab", Gpt2Vocab), LayerCompiler.Layers(spec));
    }

    /// <summary>Builds the decoder a workload names (<c>gpt2-small:prompt=128,generate=32[,layers=N][,vocab=V][,seed=S]</c>).</summary>
    /// <exception cref="ArgumentException">A bad parameter (see <see cref="Check"/>).</exception>
    public static DecodeModel Create(WorkloadSpec spec)
    {
        var (layer, prompt, generate, vocab, layers) = Check(spec);
        var seed = (ulong)spec.Get("seed", 1);
        var stack = QuantizedLayer.CreateStack(layer, seed, layers + 1);
        var h = layer.Hidden;
        var rng = new SeededRandom(seed ^ 0x5EED_DEC0_DE00UL);
        var sx = stack[0].ScaleX;
        var embedding = new sbyte[(long)vocab * h];
        for (var i = 0; i < embedding.Length; i++)
        {
            embedding[i] = (sbyte)Math.Clamp(Math.Round(rng.NextNormal() / sx), -127, 127);
        }

        var tokens = new int[prompt];
        for (var i = 0; i < prompt; i++)
        {
            tokens[i] = rng.Next(vocab);
        }

        // LN_f's output is about N(0, 1)/S_a: the logit accumulators spread as √h·σ(a)·σ(e); ±4σ maps to ±127.
        var final = stack[layers];
        var sigmaE = Math.Sqrt(embedding.Average(v => (double)v * v));
        var sigmaAcc = Math.Sqrt(h) * sigmaE / final.ScaleA1;
        return new DecodeModel
        {
            Name = spec.ToString(),
            Spec = layer,
            Layers = stack.Take(layers).ToList(),
            Final = final,
            Vocab = vocab,
            Embedding = embedding,
            LogitRequant = Requantizer.FromScale(127.0 / (4.0 * sigmaAcc)),
            Prompt = tokens,
            Generate = generate,
        };
    }

    /// <summary>The embedding row of <paramref name="token"/>.</summary>
    public ReadOnlySpan<sbyte> Embed(int token) => Embedding.AsSpan(token * Spec.Hidden, Spec.Hidden);

    /// <summary>The prompt's embeddings, Prompt × Hidden.</summary>
    public sbyte[] PromptEmbeddings() => Prompt.SelectMany(t => Embed(t).ToArray()).ToArray();

    /// <summary>The LM head's weights, Hidden × Vocab: the embedding transposed (the head is tied to it).</summary>
    public sbyte[] HeadWeights()
    {
        var (h, v) = (Spec.Hidden, Vocab);
        var w = new sbyte[(long)h * v];
        for (var t = 0; t < v; t++)
        {
            for (var c = 0; c < h; c++)
            {
                w[((long)c * v) + t] = Embedding[((long)t * h) + c];
            }
        }

        return w;
    }

    /// <summary>Greedy choice: the first index of the largest logit.</summary>
    public static int Argmax(IReadOnlyList<long> logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var best = 0;
        for (var i = 1; i < logits.Count; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>The LN_f constants (the final layer's LN1).</summary>
    public IntLayerNormConstants FinalNorm => Final.Norm1;
}
