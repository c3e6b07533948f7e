using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Graph;
using HwGen.Software.Layers;
using HwGen.Software.Programs;

namespace HwGen.Software.Decode;

/// <summary>
/// Compiles a <see cref="DecodeModel"/> into a prefill program and one program per decode step, all from ONE operator
/// graph so every program places every tensor at the same DRAM address: the DRAM image a program leaves is the next
/// one's input (only the program text is replaced), and the caches, weights and activations carry over.
/// </summary>
/// <remarks>
/// <para><b>Tensors, in DRAM order:</b> the prompt's embeddings X; per layer i the caches <c>L{i}.Kc</c>, <c>L{i}.Vc</c>
/// (Context × Hidden int8, token-major: row t holds token t's keys of every head, head h at columns h·HeadDim.., so a head's
/// keys are Context rows of HeadDim bytes that the transposed load turns into Kᵀ, and a head's values the same rows read
/// straight); the prefill layers' weights and activations (<c>L{i}.Wq</c>, … as in <see cref="LayerCompiler"/>); LN_f's
/// γ/β <c>GBF</c>; the LM head <c>Wlm</c> (Hidden × Vocab); <c>AF</c> (LN_f's output) and <c>Logits</c> (1 × Vocab);
/// the step's input row <c>x</c> (the host writes the chosen token's embedding there) and the step's one-row activations
/// <c>D.L{i}.*</c>, with <c>D.L{i}.P</c> (Heads × Context) for the probabilities.</para>
/// <para><b>Prefill:</b> the causal stack over the prompt, writing K and V into cache rows 0..Prompt−1, then LN_f of the
/// last prompt row and the LM head. <b>Step j:</b> every layer on the one row x (M = 1 GEMMs), K and V appended at cache
/// row Prompt + j, attention of the one query over cache rows 0..Prompt + j (<see cref="DecodeAttentionNode"/>), then LN_f
/// and the LM head.</para>
/// </remarks>
public static partial class DecodeCompiler
{
    /// <summary>The prefill program (the prompt through every layer, then the logits of its last token).</summary>
    /// <exception cref="ArgumentException">The design cannot hold the decoder.</exception>
    public static CompiledLayer Prefill(DesignModel d, DecodeModel m) => CompileWhole(d, m, null);

    /// <summary>The program of decode step <paramref name="step"/> (0-based: the token at position Prompt + step).</summary>
    /// <exception cref="ArgumentException">The design cannot hold the decoder, or the step is out of range.</exception>
    public static CompiledLayer Step(DesignModel d, DecodeModel m, int step)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (step < 0 || step >= m.Generate)
        {
            throw new ArgumentException($"decode step {step} is not in 0..{m.Generate - 1}", nameof(step));
        }

        return CompileWhole(d, m, step);
    }

    /// <summary>The operator graph with every tensor, and where its prefill nodes end (the step's nodes follow).</summary>
    public static (OperatorGraph Graph, int PrefillNodes) Describe(DecodeModel m, int step)
    {
        ArgumentNullException.ThrowIfNull(m);
        var spec = m.Spec;
        var (h, n, p) = (spec.Hidden, m.Context, m.Prompt.Length);
        var inv = CultureInfo.InvariantCulture;
        var g = new GraphBuilder();
        GraphTensor x = g.Tensor(GraphTensor.Input("X", p, h, m.PromptEmbeddings()));
        var caches = m.Layers.Select((_, i) => (K: g.Tensor(Cache(Prefix(i) + "Kc", n, h)), V: g.Tensor(Cache(Prefix(i) + "Vc", n, h)))).ToList();
        for (var i = 0; i < m.Layers.Count; i++)
        {
            // The prompt's attention reads the blocked caches as the steps do: every query row against the keys up to its own.
            var (k, v) = caches[i];
            var q = m.Layers[i];
            var pt = g.Tensor(GraphTensor.Output(Prefix(i) + "P", spec.Heads * p, p));
            void Attention(GraphTensor qt, GraphTensor ot) =>
                g.Node(new DecodeAttentionNode(Prefix(i), spec.Heads, p, spec.HeadDim, qt, k, v, pt, ot, q.Softmax, q.RequantO) { Queries = p, HeadRows = p });
            x = LayerCompiler.Describe(g, q, x, Prefix(i), new LayerSlots(Prefix(i), p, k, v, 0, Attention));
        }

        var gbf = g.Tensor(GraphTensor.Rowwise("GBF", m.Final.Gamma1.Select(v => (int)v).ToArray(), m.Final.Beta1));
        var wlm = g.Tensor(GraphTensor.Input("Wlm", h, m.Vocab, m.HeadWeights()) with { Blocked = true });
        var af = g.Tensor(GraphTensor.Output("AF", 1, h));
        var logits = g.Tensor(GraphTensor.Output("Logits", 1, m.Vocab));
        void Head(GraphOperand y, string prefix)
        {
            g.Node(new LayerNormNode(prefix + "ln_f", y, 1, h, gbf, m.FinalNorm, new(af)));
            g.Node(new GemmNode(prefix + "lm_head", new(af), new(wlm), false, 1, m.Vocab, h, null, GemmEpilogue.Requantize, new(logits)) { Requant = m.LogitRequant, Streamed = true });
        }

        Head(new(x, p - 1), string.Empty);
        var prefillNodes = g.NodeCount;
        var row = p + step;
        GraphTensor s = g.Tensor(GraphTensor.Input("x", 1, h, new sbyte[h]));
        for (var i = 0; i < m.Layers.Count; i++)
        {
            var prefix = "D." + Prefix(i);
            var (k, v) = caches[i];
            var pt = g.Tensor(GraphTensor.Output(prefix + "P", spec.Heads, n));
            var q = m.Layers[i];
            void Attention(GraphTensor qt, GraphTensor ot) =>
                g.Node(new DecodeAttentionNode(prefix, spec.Heads, row + 1, spec.HeadDim, qt, k, v, pt, ot, q.Softmax, q.RequantO));
            s = LayerCompiler.Describe(g, q, s, prefix, new LayerSlots(Prefix(i), 1, k, v, row, Attention));
        }

        Head(new(s), "D.");
        var name = m.Name + (step < 0 ? ",prefill" : ",step=" + step.ToString(inv));
        return (g.Build(name, h), prefillNodes);
    }

    /// <summary>
    /// A key or value cache of <paramref name="rows"/> rows, blocked: column block j (COLS columns: a quarter of a 64-wide
    /// head on default) holds every row's columns, one after the other, so a head's keys for QKᵀ (through the transposed
    /// load) and its values for P·V are read in long bursts instead of one burst per cached row (docs/decode.md).
    /// </summary>
    internal static GraphTensor Cache(string name, int rows, int hidden) => GraphTensor.Output(name, rows, hidden) with { Blocked = true };

    /// <summary>Layer i's name prefix.</summary>
    public static string Prefix(int layer) => "L" + layer.ToString(CultureInfo.InvariantCulture) + ".";

    private static CompiledLayer CompileWhole(DesignModel d, DecodeModel m, int? step)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(m);
        if (!d.TransposedLoad)
        {
            throw new ArgumentException($"decoding needs scratchpad.transposed_load (Kᵀ from the cache), which configuration '{d.Name}' turns off");
        }

        var (graph, prefillNodes) = Describe(m, step ?? 0);
        var nodes = step is null ? graph.Nodes.Take(prefillNodes) : graph.Nodes.Skip(prefillNodes);
        graph = graph with { Name = step is null ? m.Name + ",prefill" : graph.Name, Nodes = nodes.ToList() };
        var meta = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["kernel"] = step is null ? "decode_prefill" : "decode_step",
            ["layer"] = m.Spec.ToString(),
            ["layers"] = m.Layers.Count,
            ["context"] = step is null ? m.Prompt.Length : m.Prompt.Length + step.Value + 1,
            ["vocab"] = m.Vocab,
            ["rounding"] = "half_up",
            ["poison"] = DramImage.Poison.ToString(CultureInfo.InvariantCulture),
        };
        return Checked(d, graph, meta);
    }

    /// <summary>
    /// Compiles a graph and checks its tokens. Long contexts: the one-row QKᵀ over the whole cache has four transposed
    /// loads per key block, all with their own buffer, so the load unit runs ahead of the computes by more tokens than a
    /// counter counts (260 at context 1,001 on default); such a program is compiled again with those loads placed among
    /// the computes that need them (<c>boundLoadLead</c>). A program that still fails is refused.
    /// </summary>
    private static CompiledLayer Checked(DesignModel d, OperatorGraph graph, IDictionary<string, object> meta)
    {
        var compiled = GraphCompiler.Compile(d, graph, meta);
        var tokens = Golden.TokenChecker.Check(d, compiled.Program.Instructions);
        if (!tokens.Ok)
        {
            compiled = GraphCompiler.Compile(d, graph, meta, boundLoadLead: true);
            tokens = Golden.TokenChecker.Check(d, compiled.Program.Instructions);
        }

        return tokens.Ok ? compiled
            : throw new ArgumentException($"{graph.Name}: the program fails the token check ({tokens.Errors[0]}); decode steps at this context are not supported on '{d.Name}' yet");
    }
}
