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
/// scale; no position embedding) and an LM head tied to it (logits = LN_f(y)·Embeddingᵀ, requantized to int8), or with
/// <c>tied=0</c> its own seeded int8 matrix <see cref="UntiedHead"/> (Vocab × Hidden) in place of the embedding.
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

    /// <summary>
    /// An untied LM head (<c>tied=0</c>): Vocab × Hidden int8, row-major, drawn after the prompts so a tied model of the
    /// same seed keeps its numbers; null: the head is the embedding (GPT-2's tied head).
    /// </summary>
    public sbyte[]? UntiedHead { get; init; }

    /// <summary>The LM head's requantization of LN_f(y)·Headᵀ (the embedding, or <see cref="UntiedHead"/>).</summary>
    public required Requantization LogitRequant { get; init; }

    /// <summary>The prompt's token ids.</summary>
    public required int[] Prompt { get; init; }

    /// <summary>Decode steps after the prefill.</summary>
    public required int Generate { get; init; }

    /// <summary>
    /// The prompts of a batch (<c>batch=</c>, <c>prompt=5/9</c>): sequence 0's is <see cref="Prompt"/>; null: one sequence.
    /// </summary>
    public int[][]? BatchPrompts { get; init; }

    /// <summary>Prompt tokens a prefill step appends per sequence (<c>chunk=</c>); null: the whole prompt in one program.</summary>
    public int? Chunk { get; init; }

    /// <summary>The prompts, one per sequence.</summary>
    public IReadOnlyList<int[]> Prompts => BatchPrompts ?? [Prompt];

    /// <summary>Sequences decoding together.</summary>
    public int Batch => Prompts.Count;

    /// <summary>
    /// True for one sequence without <c>chunk=</c>: the prefill is the causal layer stack over the prompt (M = Prompt,
    /// weight-stationary, as a layer workload), the steps are one-token steps. Otherwise every program is a step of
    /// <see cref="DecodeShape"/> (k-token steps, batches), the prefill included.
    /// </summary>
    public bool Whole => BatchPrompts is null && Chunk is null;

    /// <summary>Cache rows per sequence: the longest prompt and one row per decode step.</summary>
    public int Context => Prompts.Max(p => p.Length) + Generate;

    /// <summary>
    /// Most token rows a step takes (the activations are declared with this many rows, so every step places them alike):
    /// each sequence's chunk of its prompt (or a decode token), summed over the batch.
    /// </summary>
    public int StepRows => Whole ? 1 : Math.Max(MinStepRows, Prompts.Sum(p => Math.Min(p.Length, Chunk ?? p.Length)));

    /// <summary>
    /// At least this many step rows (a host that drives its own steps, e.g. big-little decoding's verification of k drafted
    /// tokens, needs more rows than the prompt chunks); 0: as the chunks need.
    /// </summary>
    public int MinStepRows { get; init; }

    /// <summary>
    /// Real value of one int8 logit unit (LN_f's output scale × the embedding's × the LM head's requantization step): the
    /// host's softmax of the logits (big-little decoding's policies) multiplies by it.
    /// </summary>
    public double LogitScale { get; init; } = 1;

    /// <summary>True when <paramref name="spec"/> asks for generation (<c>generate=</c>, <c>prompt=</c>, <c>vocab=</c>, <c>batch=</c> or <c>chunk=</c>).</summary>
    public static bool IsDecode(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Parameters.ContainsKey("generate") || spec.GetList("prompt") is not null || spec.Parameters.ContainsKey("vocab")
            || spec.Parameters.ContainsKey("batch") || spec.Parameters.ContainsKey("chunk") || spec.Parameters.ContainsKey("tied");
    }

    private static readonly string[] ShapeParameters = ["hidden", "attn_heads", "ffn_dim"];

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

        if (spec.Get("wbits", 8) is not (4 or 8))
        {
            throw new ArgumentException($"workload '{spec}': wbits={spec.Get("wbits")} is not 4 or 8 (int4 or int8 weights)");
        }

        if (spec.Get("columns", 0) == 1)
        {
            throw new ArgumentException($"workload '{spec}': columns=1 (the per-column datapath) is for post-LN layers; generation runs a pre-LN decoder");
        }

        if (spec.Parameters.ContainsKey("seq") && spec.GetList("prompt") is not null)
        {
            throw new ArgumentException($"workload '{spec}': give prompt= or seq=, not both (with generate=, seq is the prompt length)");
        }

        if (ShapeParameters.FirstOrDefault(spec.Parameters.ContainsKey) is { } shape)
        {
            throw new ArgumentException($"workload '{spec}': {shape}= gives a layer run its own model shape; generation runs the preset's shape, so drop it");
        }

        if (spec.Get("causal", 1) != 1)
        {
            throw new ArgumentException($"workload '{spec}': causal=0 cannot generate text (a decoder attends to earlier tokens only)");
        }

        if (!spec.Parameters.ContainsKey("generate"))
        {
            throw new ArgumentException($"workload '{spec}': prompt=, vocab=, batch=, chunk= and tied= need generate=N (decode steps after the prompt)");
        }

        var prompts = PromptLengths(spec);
        var generate = (int)spec.Get("generate");
        if (prompts.Max() + generate > MaxContext)
        {
            throw new ArgumentException(string.Create(inv, $"workload '{spec}': prompt + generate = {prompts.Max() + generate} exceeds the context of {MaxContext} tokens"));
        }

        if (spec.Parameters.TryGetValue("chunk", out var chunk) && chunk > prompts.Max())
        {
            throw new ArgumentException(string.Create(inv,
                $"workload '{spec}': chunk={chunk} exceeds the longest prompt ({prompts.Max()} tokens); chunk= is the prompt tokens a prefill step appends per sequence"));
        }

        var prompt = prompts[0];
        return (LayerSpec.Preset(spec.Kind, prompt), prompt, generate, (int)spec.Get("vocab", Gpt2Vocab), LayerCompiler.Layers(spec));
    }

    /// <summary>
    /// The prompt length of each sequence: <c>prompt=</c> (or <c>seq=</c>, default 128) gives one length for every
    /// sequence or one per sequence (<c>prompt=5/9</c>); <c>batch=</c> defaults to the number of lengths.
    /// </summary>
    /// <exception cref="ArgumentException">More than one length, and not as many as <c>batch=</c>.</exception>
    public static int[] PromptLengths(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var list = spec.GetList("prompt") ?? [spec.Get("seq", 128)];
        var batch = (int)spec.Get("batch", list.Count);
        if (list.Count != 1 && list.Count != batch)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"workload '{spec}': prompt= has {list.Count} values for batch={batch}; give one length for every sequence or one per sequence"));
        }

        return Enumerable.Range(0, batch).Select(b => (int)list[list.Count == 1 ? 0 : b]).ToArray();
    }

    /// <summary>Builds the decoder a workload names (<c>gpt2-small:prompt=128,generate=32[,layers=N][,vocab=V][,seed=S][,batch=B][,chunk=K]</c>).</summary>
    /// <exception cref="ArgumentException">A bad parameter (see <see cref="Check"/>).</exception>
    public static DecodeModel Create(WorkloadSpec spec)
    {
        var (layer, _, generate, vocab, layers) = Check(spec);
        var seed = (ulong)spec.Get("seed", 1);
        var stack = QuantizedLayer.CreateStack(layer, seed, layers + 1, weightBits: spec.WeightBits(), channelScales: spec.ChannelScales());
        var h = layer.Hidden;
        var rng = new SeededRandom(seed ^ 0x5EED_DEC0_DE00UL);
        var sx = stack[0].ScaleX;
        var embedding = new sbyte[(long)vocab * h];
        for (var i = 0; i < embedding.Length; i++)
        {
            embedding[i] = (sbyte)Math.Clamp(Math.Round(rng.NextNormal() / sx), -127, 127);
        }

        // Sequence 0's tokens first (one sequence draws exactly what it drew before batches existed), then the others'.
        var prompts = PromptLengths(spec).Select(n =>
        {
            var tokens = new int[n];
            for (var i = 0; i < n; i++)
            {
                tokens[i] = rng.Next(vocab);
            }

            return tokens;
        }).ToArray();

        // An untied head: its own weights, at the spread of a unit-variance matrix at the head's input scale like the
        // embedding's, drawn after the prompts.
        sbyte[]? untied = null;
        if (spec.Get("tied", 1) == 0)
        {
            untied = new sbyte[(long)vocab * h];
            for (var i = 0; i < untied.Length; i++)
            {
                untied[i] = (sbyte)Math.Clamp(Math.Round(rng.NextNormal() / sx), -127, 127);
            }
        }

        // LN_f's output is about N(0, 1)/S_a: the logit accumulators spread as √h·σ(a)·σ(e); ±4σ maps to ±127.
        var final = stack[layers];
        var sigmaE = Math.Sqrt((untied ?? embedding).Average(v => (double)v * v));
        var sigmaAcc = Math.Sqrt(h) * sigmaE / final.ScaleA1;
        return new DecodeModel
        {
            Name = spec.ToString(),
            Spec = layer,
            Layers = stack.Take(layers).ToList(),
            Final = final,
            Vocab = vocab,
            Embedding = embedding,
            UntiedHead = untied,
            LogitRequant = Requantizer.FromScale(127.0 / (4.0 * sigmaAcc)),
            LogitScale = 4.0 * sigmaAcc / 127.0 * final.ScaleA1 * sx,
            Prompt = prompts[0],
            BatchPrompts = prompts.Length > 1 || spec.Parameters.ContainsKey("batch") ? prompts : null,
            Chunk = spec.Parameters.ContainsKey("chunk") ? (int)spec.Get("chunk") : null,
            Generate = generate,
        };
    }

    /// <summary>The embedding row of <paramref name="token"/>.</summary>
    public ReadOnlySpan<sbyte> Embed(int token) => Embedding.AsSpan(token * Spec.Hidden, Spec.Hidden);

    /// <summary>The prompt's embeddings, Prompt × Hidden.</summary>
    public sbyte[] PromptEmbeddings() => Prompt.SelectMany(t => Embed(t).ToArray()).ToArray();

    /// <summary>The LM head's weights, Hidden × Vocab: the embedding (a tied head) or <see cref="UntiedHead"/>, transposed.</summary>
    public sbyte[] HeadWeights()
    {
        var (h, v) = (Spec.Hidden, Vocab);
        var head = UntiedHead ?? Embedding;
        var w = new sbyte[(long)h * v];
        for (var t = 0; t < v; t++)
        {
            for (var c = 0; c < h; c++)
            {
                w[((long)c * v) + t] = head[((long)t * h) + c];
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
