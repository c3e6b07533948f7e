using System.Buffers.Binary;
using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Graph;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Software.Layers;

/// <summary>
/// Compiles one post-LN Transformer layer into ONE program: QKV projections (bias, requantize), per head QKᵀ (Kᵀ by the
/// transposed load) straight into a Softmax <c>normalize</c> (causal when the layer is), P·V (requantize), the output
/// projection (bias) with the residual and LayerNorm 1 as a LayerNorm <c>normalize</c>, FFN1 (bias, I-GELU store), FFN2
/// (bias) with the residual and LayerNorm 2. Every intermediate activation is an int8 tensor in DRAM.
/// </summary>
/// <remarks>
/// <para>Each GEMM is tiled as (m-tile × n-group × k-group) phases on the weight-stationary array. Softmax and LayerNorm
/// need whole rows in the accumulator, so their GEMMs take all column blocks in one group and shrink the m-tile. The
/// int8 residual enters the accumulator as int32 by multiplying it with an identity matrix held at the top of the
/// scratchpad (exact); γ/β and bias rows are loaded into the accumulator with <c>load target=acc</c>.</para>
/// <para>Tokens serialise the phases (correct first, fast later): a phase's last load pushes LD→EX, its first compute
/// pops it; with stores, the last compute pushes EX→ST, the first store-queue instruction pops it, the last pushes ST→EX
/// and a one-row relay compute into the last accumulator row pops it and pushes EX→LD; without stores the last compute
/// pushes EX→LD. The next phase's first load pops EX→LD. Every pop is matched by an earlier push in program order.</para>
/// </remarks>
public static class LayerCompiler
{
    /// <summary>Compiles a workload specification whose kind is a layer preset (<c>bert-tiny:seq=64,causal=0,seed=1,layers=2</c>).</summary>
    /// <exception cref="ArgumentException">Not a layer preset, or a layer the design cannot hold.</exception>
    public static CompiledProgram Compile(DesignModel d, WorkloadSpec spec) => CompileLayers(d, Stack(spec)).Program;

    /// <summary>
    /// The quantized layers a workload names: the preset with its <c>seq</c> and <c>causal</c> overrides, seeded by
    /// <c>seed</c> (default 1), <c>layers</c> of them (default 1).
    /// </summary>
    /// <exception cref="ArgumentException">Not a layer preset, or layers out of range.</exception>
    public static IReadOnlyList<QuantizedLayer> Stack(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!LayerSpec.PresetNames.Contains(spec.Kind))
        {
            throw new ArgumentException($"workload kind '{spec.Kind}' is not a layer preset ({string.Join(", ", LayerSpec.PresetNames)})", nameof(spec));
        }

        var layer = Shape(spec);
        if (spec.Get("columns", 0) == 1)
        {
            if (spec.WeightBits() != 8)
            {
                throw new ArgumentException($"workload '{spec}': columns=1 (the per-column datapath) takes int8 weights; drop wbits=4");
            }

            return QuantizedLayer.CreateColumnStack(layer, (ulong)spec.Get("seed", 1), Layers(spec), Masks(spec, layer), ColumnOptions.Recommended);
        }

        return QuantizedLayer.CreateStack(layer, (ulong)spec.Get("seed", 1), Layers(spec), Masks(spec, layer), spec.WeightBits(), spec.ChannelScales());
    }

    /// <summary>
    /// The layer a workload names, before pruning: the preset with its <c>seq</c>, <c>causal</c> and <c>softmax_late</c>
    /// overrides, and a model shape of its own when <c>hidden</c>, <c>attn_heads</c> or <c>ffn_dim</c> is given (the
    /// model-shape search of <c>hwgen explore</c>; heads of hidden/attn_heads columns).
    /// </summary>
    /// <exception cref="ArgumentException">Not a layer preset, or a width that is not a multiple of the head count.</exception>
    public static LayerSpec Shape(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!LayerSpec.PresetNames.Contains(spec.Kind))
        {
            throw new ArgumentException($"workload kind '{spec.Kind}' is not a layer preset ({string.Join(", ", LayerSpec.PresetNames)})", nameof(spec));
        }

        var layer = LayerSpec.Preset(spec.Kind, spec.Parameters.ContainsKey("seq") ? (int)spec.Get("seq") : null);
        if (spec.Parameters.ContainsKey("causal"))
        {
            layer = layer with { Causal = spec.Get("causal") == 1 };
        }

        if (spec.Parameters.ContainsKey("hidden") || spec.Parameters.ContainsKey("attn_heads") || spec.Parameters.ContainsKey("ffn_dim"))
        {
            var (hidden, heads) = ((int)spec.Get("hidden", layer.Hidden), (int)spec.Get("attn_heads", layer.Heads));
            if (hidden % heads != 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"workload '{spec}': hidden={hidden} is not a multiple of attn_heads={heads}"), nameof(spec));
            }

            layer = LayerSpec.Create(layer.Name, hidden, heads, hidden / heads, (int)spec.Get("ffn_dim", layer.Ffn), layer.Seq, layer.Causal, layer.PreLayerNorm);
        }

        return layer with { LateSoftmax = spec.Get("softmax_late", 0) == 1 };
    }

    /// <summary>
    /// The structured pruning a layer workload asks for: <c>heads=</c> and <c>ffn=</c> keep the first that many heads and
    /// FFN filters of each layer's seeded weights, one value for every layer or one per layer (<c>heads=1/2</c>); null
    /// when neither is given (docs/pruning.md).
    /// </summary>
    /// <exception cref="ArgumentException">A list whose length is neither 1 nor the number of layers, or more heads or filters than the preset has.</exception>
    public static IReadOnlyList<LayerMask>? Masks(WorkloadSpec spec, LayerSpec layer)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(layer);
        var (heads, ffn) = (spec.GetList("heads"), spec.GetList("ffn"));
        if (heads is null && ffn is null)
        {
            return null;
        }

        var n = Layers(spec);
        var inv = CultureInfo.InvariantCulture;
        int[] PerLayer(string name, IReadOnlyList<long>? values, int full, string what)
        {
            if (values is null)
            {
                return Enumerable.Repeat(full, n).ToArray();
            }

            if (values.Count != 1 && values.Count != n)
            {
                throw new ArgumentException(string.Create(inv, $"workload '{spec}': {name}= has {values.Count} values for layers={n}; give one value for every layer or one per layer"));
            }

            var bad = values.FirstOrDefault(v => v > full);
            if (bad > 0)
            {
                throw new ArgumentException(string.Create(inv, $"workload '{spec}': {name}={bad} is more than the {full} {what} of {layer.Name}"));
            }

            return Enumerable.Range(0, n).Select(i => (int)values[values.Count == 1 ? 0 : i]).ToArray();
        }

        var h = PerLayer("heads", heads, layer.Heads, "heads");
        var f = PerLayer("ffn", ffn, layer.Ffn, "FFN filters");
        return Enumerable.Range(0, n).Select(i => LayerMask.First(h[i], f[i])).ToArray();
    }

    /// <summary>Most layers a <c>layers=</c> override may ask for.</summary>
    public const int MaxLayers = 48;

    /// <summary>The <c>layers=</c> override of a layer workload (default 1).</summary>
    /// <exception cref="ArgumentException">Not in 1..<see cref="MaxLayers"/>.</exception>
    public static int Layers(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var n = spec.Get("layers", 1);
        if (n < 1 || n > MaxLayers)
        {
            throw new ArgumentException($"workload '{spec}': layers={n} is not in 1..{MaxLayers}", nameof(spec));
        }

        return (int)n;
    }

    /// <summary>Compiles <paramref name="q"/> for design <paramref name="d"/>.</summary>
    /// <exception cref="ArgumentException">The design lacks weight-stationary dataflow or a post-processing unit, or a row does not fit the accumulator.</exception>
    public static CompiledProgram Compile(DesignModel d, QuantizedLayer q) => CompileLayer(d, q).Program;

    /// <summary>Compiles <paramref name="q"/> and says which instructions belong to which operation.</summary>
    /// <exception cref="ArgumentException">The design lacks weight-stationary dataflow or a post-processing unit, or a row does not fit the accumulator.</exception>
    public static CompiledLayer CompileLayer(DesignModel d, QuantizedLayer q)
    {
        ArgumentNullException.ThrowIfNull(q);
        return CompileLayers(d, [q]);
    }

    /// <summary>
    /// Compiles a stack of layers (as <see cref="QuantizedLayer.CreateStack"/> makes) into one program: layer i+1 reads
    /// layer i's output Y where it lies. With more than one layer, tensors and operations carry the prefix <c>L{i}.</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The design lacks weight-stationary dataflow or a post-processing unit, or a row does not fit the accumulator.</exception>
    public static CompiledLayer CompileLayers(DesignModel d, IReadOnlyList<QuantizedLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(layers);
        if (!d.TransposedLoad)
        {
            // Attention loads Kᵀ with target sp_t; without the transposed load the layer does not fit this design.
            throw new ArgumentException($"layers need scratchpad.transposed_load, which configuration '{d.Name}' turns off");
        }

        if (layers.Count == 0)
        {
            throw new ArgumentException("no layers to compile", nameof(layers));
        }

        var first = layers[0];
        var spec = first.Spec;
        var inv = CultureInfo.InvariantCulture;
        var name = $"layer:{spec.Name},seq={spec.Seq.ToString(inv)},seed={first.Seed.ToString(inv)}" + (layers.Count > 1 ? ",layers=" + layers.Count.ToString(inv) : string.Empty)
            + (Pruned(layers) ? ",heads=" + string.Join('/', layers.Select(l => l.Spec.Heads.ToString(inv))) + ",ffn=" + string.Join('/', layers.Select(l => l.Spec.Ffn.ToString(inv))) : string.Empty)
            + (spec.LateSoftmax ? ",softmax_late=1" : string.Empty) + (first.WeightBits == 4 ? ",wbits=4" : string.Empty)
            + (first.WeightBits == 4 && first.Channels is null ? ",chscale=0" : string.Empty)
            + (first.Columns is null ? string.Empty : ",columns=1");
        var meta = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["kernel"] = "layer",
            ["layer"] = spec.ToString(),
            ["layers"] = layers.Count,
            ["seed"] = first.Seed,
            ["scale_x"] = first.ScaleX,
            ["scale_y"] = layers[^1].ScaleY,
            ["rounding"] = "half_up",
            ["poison"] = DramImage.Poison.ToString(inv),
        };
        if (Pruned(layers))
        {
            // Only pruned stacks carry their per-layer shapes, so unpruned programs stay as they were.
            meta["layer_shapes"] = string.Join("; ", layers.Select(l => l.Spec.ToString()));
        }

        return GraphCompiler.Compile(d, Describe(name, layers), meta);
    }

    /// <summary>True when a layer of the stack is pruned or differs from the first in heads or FFN width.</summary>
    private static bool Pruned(IReadOnlyList<QuantizedLayer> layers) =>
        layers.Any(l => l.Spec.Unpruned is not null || l.Spec.Heads != layers[0].Spec.Heads || l.Spec.Ffn != layers[0].Spec.Ffn);

    /// <summary>
    /// The operator graph of a stack (as <see cref="QuantizedLayer.CreateStack"/> makes): layer i+1 reads layer i's output Y
    /// where it lies. With more than one layer, tensors and operations carry the prefix <c>L{i}.</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The layers differ in their residual stream (width, tokens, mask, LayerNorm placement); heads and FFN width may differ (pruning).</exception>
    public static OperatorGraph Describe(string name, IReadOnlyList<QuantizedLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var g = new GraphBuilder();
        var spec = layers[0].Spec;
        GraphTensor? x = null;
        for (var i = 0; i < layers.Count; i++)
        {
            if (!layers[i].Spec.SharesStream(spec))
            {
                throw new ArgumentException("every layer of a stack must have the same residual stream (hidden width, tokens, mask and LayerNorm placement)", nameof(layers));
            }

            var prefix = layers.Count == 1 ? string.Empty : "L" + i.ToString(CultureInfo.InvariantCulture) + ".";
            x ??= layers[0].Columns is { } c
                ? g.Tensor(GraphTensor.Wide(prefix + "X", spec.Seq, spec.Hidden, c.X16))
                : g.Tensor(GraphTensor.Input(prefix + "X", spec.Seq, spec.Hidden, layers[0].X));
            x = DescribeLayer(g, layers[i], x, prefix, null);
        }

        return g.Build(name, spec.Hidden);
    }

    /// <summary>
    /// Adds one layer of a decoder (software/Decode) reading its input from <paramref name="x"/>: its K and V go into the
    /// caches of <paramref name="slots"/>, its weights are shared with any layer of the same weight prefix already in
    /// <paramref name="g"/>; returns its output tensor.
    /// </summary>
    public static GraphTensor Describe(GraphBuilder g, QuantizedLayer q, GraphTensor x, string prefix, LayerSlots slots)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(slots);
        return DescribeLayer(g, q, x, prefix, slots);
    }

    /// <summary>
    /// Adds one layer whose input rows are gathered from <paramref name="x"/> (runs of (rows, first tensor row), in
    /// token order: the kept tokens of a token-pruned stack, docs/pruning.md); returns its output tensor.
    /// </summary>
    public static GraphTensor Describe(GraphBuilder g, QuantizedLayer q, GraphTensor x, string prefix, IReadOnlyList<(int Rows, int TensorRow)> gather)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(gather);
        return DescribeLayer(g, q, x, prefix, null, gather);
    }

    /// <summary>Adds one layer reading its input from <paramref name="x"/>; returns its output tensor.</summary>
    private static GraphTensor DescribeLayer(GraphBuilder g, QuantizedLayer q, GraphTensor x, string prefix, LayerSlots? slots,
        IReadOnlyList<(int Rows, int TensorRow)>? gather = null)
    {
        var spec = q.Spec;
        int s = slots?.Rows ?? spec.Seq, h = spec.Hidden, f = spec.Ffn, a = spec.AttentionWidth, tr = slots?.TensorRows ?? s;
        var shared = slots?.WeightPrefix ?? prefix;
        // Decoding (slots given) stores the weights blocked, so a streamed column block is one contiguous run (docs/decode.md).
        GraphTensor In(string n, int rows, int cols, sbyte[] values) =>
            g.Find(shared + n) ?? g.Tensor(GraphTensor.Input(shared + n, rows, cols, values) with
            {
                Blocked = slots is not null,
                Element = q.WeightBits == 4 ? ElementType.Int4 : ElementType.Int8,
            });
        GraphTensor Vec(string n, params int[][] v) => g.Find(shared + n) ?? g.Tensor(GraphTensor.Rowwise(shared + n, v));
        GraphTensor Out(string n, int rows, int cols) => g.Tensor(GraphTensor.Output(prefix + n, rows, cols));
        var (wq, wk, wv, wo) = (In("Wq", h, a, q.Wq), In("Wk", h, a, q.Wk), In("Wv", h, a, q.Wv), In("Wo", a, h, q.Wo));
        var (w1, w2) = (In("W1", h, f, q.W1), In("W2", f, h, q.W2));
        var (bq, bk, bv, bo, b1, b2) = (Vec("Bq", q.Bq), Vec("Bk", q.Bk), Vec("Bv", q.Bv), Vec("Bo", q.Bo), Vec("B1", q.B1), Vec("B2", q.B2));
        var columns = q.Columns;
        GraphTensor Stream(string n) => columns is null ? Out(n, tr, h) : g.Tensor(GraphTensor.Wide(prefix + n, tr, h, null));
        // Column mode: the per-column datapath's LayerNorms, or post-LN per-channel int4 Wo and W2 (ChannelScales).
        var (n1, n2) = columns is not null ? (columns.Norm1, columns.Norm2) : (q.Channels?.Norm1, q.Channels?.Norm2);
        var gb1 = n1 is null ? Vec("GB1", q.Gamma1.Select(v => (int)v).ToArray(), q.Beta1) : Vec("GB1", n1.Vectors());
        var gb2 = n2 is null ? Vec("GB2", q.Gamma2.Select(v => (int)v).ToArray(), q.Beta2) : Vec("GB2", n2.Vectors());
        var geluColumns = columns?.Gelu ?? q.Channels?.Gelu;
        var gc = geluColumns is null ? null : Vec("GC", geluColumns.Select(c => c.Encode().InWord).ToArray(), geluColumns.Select(c => c.Encode().OutWord).ToArray());
        var ch = q.Channels;
        var (mq, mk, mv) = ch is null ? (null, null, null)
            : (Vec("MQ", ChannelScales.Multipliers(ch.Q)), Vec("MK", ChannelScales.Multipliers(ch.K)), Vec("MV", ChannelScales.Multipliers(ch.V)));
        var (qt, kt, vt) = (Out("Q", tr, a), slots?.KCache ?? Out("K", s, a), slots?.VCache ?? Out("V", s, a));
        var cacheRow = slots?.CacheRow ?? 0;
        var pts = slots?.Attention is null ? spec.Segments.Select((n, b) => g.Tensor(GraphTensor.Output(prefix + spec.ProbabilityTensor(b), spec.Heads * n, n) with { CausalSequence = spec.Causal ? n : 0 })).ToList() : [];
        var (ot, x1, ht, yt) = (Out("O", tr, a), Stream("X1"), Out("H", tr, f), Stream("Y"));
        var pre = spec.PreLayerNorm;
        var a1 = pre ? Out("A1", tr, h) : null;
        var a2 = pre ? Out("A2", tr, h) : null;
        var xIn = new GraphOperand(x) { Segments = gather };
        var attnIn = a1 is null ? xIn : new GraphOperand(a1);
        GemmNode Gemm(string n, GraphTensor a, GraphTensor w, GraphTensor bias, GemmEpilogue e, GraphTensor c) =>
            new(prefix + n, new(a), new(w), false, s, c.Cols, a.Cols, bias, e, new(c));
        if (pre)
        {
            g.Node(new LayerNormNode(prefix + "ln1", xIn, s, h, gb1, q.Norm1, new(a1!)));
        }

        g.Node(new GemmNode(prefix + "q_proj", attnIn, new(wq), false, s, a, h, bq, GemmEpilogue.Requantize, new(qt)) { Requant = ch?.Q[0] ?? q.RequantQ, RequantColumns = mq, Streamed = slots?.Attention is not null });
        g.Node(new GemmNode(prefix + "k_proj", attnIn, new(wk), false, s, a, h, bk, GemmEpilogue.Requantize, new(kt, cacheRow) { Segments = slots?.CacheSegments }) { Requant = ch?.K[0] ?? q.RequantK, RequantColumns = mk, Streamed = slots?.Attention is not null });
        g.Node(new GemmNode(prefix + "v_proj", attnIn, new(wv), false, s, a, h, bv, GemmEpilogue.Requantize, new(vt, cacheRow) { Segments = slots?.CacheSegments }) { Requant = ch?.V[0] ?? q.RequantV, RequantColumns = mv, Streamed = slots?.Attention is not null });
        slots?.Attention?.Invoke(qt, ot);
        foreach (var (n, b, first) in slots?.Attention is null ? spec.Segments.Zip(Enumerable.Range(0, spec.Segments.Count), spec.SegmentStarts()) : [])
        {
            var name = spec.Packed is null ? prefix : prefix + "S" + b.ToString(CultureInfo.InvariantCulture) + ".";
            g.Node(new AttentionNode(name, spec.Heads, n, spec.HeadDim, qt, kt, vt, pts[b], ot, q.Softmax, spec.Causal, q.RequantO) { Row = first, Late = spec.LateSoftmax });
        }
        if (pre)
        {
            // Per-channel Wo and W2 (ChannelScales): the adds in column mode, m_j and A_j in three rows per block like γ/β.
            var (c1, c2) = (ch?.Add1, ch?.Add2);
            g.Node(Gemm("out_proj_add1", ot, wo, bo, GemmEpilogue.ResidualAdd, x1) with
            {
                Residual = xIn, Add = q.Add1, Affine = c1 is null ? null : Vec("AC1", c1.Vectors()), NormColumns = c1?.Mode,
            });
            g.Node(new LayerNormNode(prefix + "ln2", new(x1), s, h, gb2, q.Norm2, new(a2!)));
            g.Node(Gemm("ffn1_gelu", a2!, w1, b1, GemmEpilogue.Gelu, ht) with { Gelu = q.Gelu, GeluColumns = gc, Streamed = slots?.Attention is not null });
            g.Node(Gemm("ffn2_add2", ht, w2, b2, GemmEpilogue.ResidualAdd, yt) with
            {
                Residual = new(x1), Add = q.Add2, Affine = c2 is null ? null : Vec("AC2", c2.Vectors()), NormColumns = c2?.Mode,
            });
        }
        else
        {
            g.Node(Gemm("out_proj_ln1", ot, wo, bo, GemmEpilogue.LayerNorm, x1) with
            {
                Norm = q.Norm1, Residual = xIn, Affine = gb1, NormColumns = n1 is null ? null : (n1.InShift, n1.ResidualShift),
            });
            g.Node(Gemm("ffn1_gelu", x1, w1, b1, GemmEpilogue.Gelu, ht) with { Gelu = q.Gelu, GeluColumns = gc });
            g.Node(Gemm("ffn2_ln2", ht, w2, b2, GemmEpilogue.LayerNorm, yt) with
            {
                Norm = q.Norm2, Residual = new(x1), Affine = gb2, NormColumns = n2 is null ? null : (n2.InShift, n2.ResidualShift),
            });
        }

        return yt;
    }
}
