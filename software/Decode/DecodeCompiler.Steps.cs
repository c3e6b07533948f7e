using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Graph;
using HwGen.Software.Layers;
using HwGen.Software.Programs;

namespace HwGen.Software.Decode;

/// <summary>
/// Steps of any <see cref="DecodeShape"/>: k tokens per sequence (chunked prefill, the verification pass of speculative
/// decoding) and B sequences per step (batched decode), each sequence with its own cache rows.
/// </summary>
/// <remarks>
/// <para><b>Tensors, in DRAM order</b> (the same in every step of a generation, so each step's image is the next one's
/// input): per layer i the caches <c>L{i}.Kc</c>, <c>L{i}.Vc</c> of Batch × Context rows, sequence b owning rows
/// b·Context.. (token-major inside, as one sequence's cache); the step's input rows <c>x</c> (StepRows × Hidden); per
/// layer the weights <c>L{i}.*</c> and the step's activations <c>D.L{i}.*</c> (StepRows rows; <c>D.L{i}.P</c>
/// Heads·StepRows × Context); LN_f's γ/β <c>GBF</c>, the LM head <c>Wlm</c>, <c>AF</c> and <c>Logits</c> (StepRows rows).</para>
/// <para><b>A step</b> runs every layer on its M = Rows token rows (one weight tile fetched serves every row): the K and V
/// projections scatter each sequence's rows into its own cache rows Start.., then per sequence attention over its cache
/// rows 0..Start + k − 1, causal inside the chunk (mask offset Start); then LN_f of the rows that want logits, gathered
/// into AF, and one LM head over them.</para>
/// </remarks>
public static partial class DecodeCompiler
{
    /// <summary>
    /// The program of a step of <paramref name="shape"/>. For a <see cref="DecodeModel.Whole"/> model only its two kinds
    /// exist: the prefill (the whole prompt) and one-token steps.
    /// </summary>
    /// <exception cref="ArgumentException">The shape does not fit the model, or the design cannot hold the decoder.</exception>
    public static CompiledLayer Compile(DesignModel d, DecodeModel m, DecodeShape shape)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(shape);
        Validate(m, shape);
        if (m.Whole)
        {
            var q = shape.Sequences[0];
            var p = m.Prompt.Length;
            return q is { Start: 0, Logits: LogitRows.Last } && q.Tokens == p ? Prefill(d, m)
                : q is { Tokens: 1, Logits: LogitRows.Last or LogitRows.All } && q.Start >= p ? Step(d, m, q.Start - p)
                : throw new ArgumentException($"{m.Name}: step {shape} needs chunk= (a model without it has a prefill of the whole prompt and one-token steps only)");
        }

        if (!d.TransposedLoad)
        {
            throw new ArgumentException($"decoding needs scratchpad.transposed_load (Kᵀ from the cache), which configuration '{d.Name}' turns off");
        }

        var graph = DescribeStep(m, shape);
        var meta = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["kernel"] = "decode_step",
            ["layer"] = m.Spec.ToString(),
            ["layers"] = m.Layers.Count,
            ["context"] = shape.Context,
            ["rows"] = shape.Rows,
            ["batch"] = m.Batch,
            ["vocab"] = m.Vocab,
            ["rounding"] = "half_up",
            ["poison"] = DramImage.Poison.ToString(CultureInfo.InvariantCulture),
        };
        return Checked(d, graph, meta);
    }

    /// <summary>The operator graph of a step of <paramref name="shape"/> (every tensor of the generation, the step's nodes).</summary>
    public static OperatorGraph DescribeStep(DecodeModel m, DecodeShape shape)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(shape);
        var spec = m.Spec;
        var (h, n, rows, many) = (spec.Hidden, m.Context, m.StepRows, shape.Sequences.Count > 1);
        var g = new GraphBuilder();
        var caches = m.Layers.Select((_, i) => (K: g.Tensor(Cache(Prefix(i) + "Kc", m.Batch * n, h)), V: g.Tensor(Cache(Prefix(i) + "Vc", m.Batch * n, h)))).ToList();
        GraphTensor s = g.Tensor(GraphTensor.Input("x", rows, h, new sbyte[rows * h]));
        var segments = shape.Sequences.Select(q => (q.Tokens, (q.Sequence * n) + q.Start)).ToList();
        string Seq(int b) => many ? "S" + b.ToString(CultureInfo.InvariantCulture) + "." : string.Empty;
        for (var i = 0; i < m.Layers.Count; i++)
        {
            var prefix = "D." + Prefix(i);
            var (k, v) = caches[i];
            var pt = g.Tensor(GraphTensor.Output(prefix + "P", spec.Heads * rows, n));
            var q = m.Layers[i];
            void Attention(GraphTensor qt, GraphTensor ot)
            {
                for (var j = 0; j < shape.Sequences.Count; j++)
                {
                    var t = shape.Sequences[j];
                    g.Node(new DecodeAttentionNode(prefix + Seq(t.Sequence), spec.Heads, t.End, spec.HeadDim, qt, k, v, pt, ot, q.Softmax, q.RequantO)
                    {
                        Queries = t.Tokens, QueryRow = shape.RowOf(j), CacheRow = t.Sequence * n, HeadRows = rows,
                    });
                }
            }

            var slots = new LayerSlots(Prefix(i), shape.Rows, k, v, many ? 0 : segments[0].Item2, Attention)
            {
                TensorRows = rows, CacheSegments = many ? segments : null,
            };
            s = LayerCompiler.Describe(g, q, s, prefix, slots);
        }

        var gbf = g.Tensor(GraphTensor.Rowwise("GBF", m.Final.Gamma1.Select(v => (int)v).ToArray(), m.Final.Beta1));
        var wlm = g.Tensor(GraphTensor.Input("Wlm", h, m.Vocab, m.HeadWeights()) with { Blocked = true });
        var af = g.Tensor(GraphTensor.Output("AF", rows, h));
        var logits = g.Tensor(GraphTensor.Output("Logits", rows, m.Vocab));
        var at = 0;
        for (var j = 0; j < shape.Sequences.Count; j++)
        {
            var t = shape.Sequences[j];
            if (t.LogitCount > 0)
            {
                var first = shape.RowOf(j) + t.Tokens - t.LogitCount;
                g.Node(new LayerNormNode("D." + Seq(t.Sequence) + "ln_f", new(s, first), t.LogitCount, h, gbf, m.FinalNorm, new(af, at)));
                at += t.LogitCount;
            }
        }

        if (at > 0)
        {
            g.Node(new GemmNode("D.lm_head", new(af), new(wlm), false, at, m.Vocab, h, null, GemmEpilogue.Requantize, new(logits)) { Requant = m.LogitRequant, Streamed = true });
        }

        return g.Build(m.Name + ",step=" + shape, h);
    }

    private static void Validate(DecodeModel m, DecodeShape shape)
    {
        var inv = CultureInfo.InvariantCulture;
        if (shape.Sequences.Count == 0 || shape.Sequences.Any(q => q.Tokens < 1 || q.Start < 0 || q.Sequence < 0 || q.Sequence >= m.Batch)
            || shape.Sequences.Select(q => q.Sequence).Distinct().Count() != shape.Sequences.Count)
        {
            throw new ArgumentException($"{m.Name}: step {shape} must advance distinct sequences of 0..{m.Batch - 1} by at least one token each");
        }

        if (shape.Sequences.FirstOrDefault(q => q.End > m.Context) is { } over)
        {
            throw new ArgumentException(string.Create(inv, $"{m.Name}: step {shape} writes cache row {over.End - 1} of sequence {over.Sequence}, past its {m.Context} rows"));
        }

        if (!m.Whole && shape.Rows > m.StepRows)
        {
            throw new ArgumentException(string.Create(inv, $"{m.Name}: step {shape} has {shape.Rows} token rows, more than the {m.StepRows} a step of this generation holds"));
        }
    }
}
