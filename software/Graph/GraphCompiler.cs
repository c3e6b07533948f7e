using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Layers;
using HwGen.Software.Programs;

namespace HwGen.Software.Graph;

/// <summary>
/// Compiles an <see cref="OperatorGraph"/> for a design: places its tensors in DRAM (after the identity matrix the
/// residual path multiplies by), lowers each node to phases of the kernel library (<see cref="PhaseBuilder"/>: tiling,
/// local memory plan, epilogues), overlaps the attention heads, and orders the phases for <see cref="TokenScheduler"/>.
/// </summary>
public static class GraphCompiler
{
    /// <summary>
    /// Compiles <paramref name="graph"/>; <paramref name="meta"/> gets the phase count and goes into the program.
    /// <paramref name="boundLoadLead"/>: see <c>PhaseBuilder.Build</c> (long decode contexts).
    /// </summary>
    /// <exception cref="ArgumentException">The design lacks weight-stationary dataflow or a post-processing unit, or a row does not fit the accumulator.</exception>
    public static CompiledLayer Compile(DesignModel d, OperatorGraph graph, IDictionary<string, object> meta, bool boundLoadLead = false)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(meta);
        if (!d.SupportWs || !d.UnitSoftmax || !d.UnitLayerNorm || !d.UnitGelu)
        {
            throw new ArgumentException($"design '{d.Name}' needs the weight-stationary dataflow and the softmax, layernorm and gelu units to run a whole layer", nameof(d));
        }

        var gemms = graph.Nodes.OfType<GemmNode>().ToList();
        if (!d.RequantPerColumn && gemms.Any(g => g.RequantColumns is not null))
        {
            throw new ArgumentException($"per-channel weight scales need per-column requantization, which design '{d.Name}' lacks (requant.per_column); use chscale=0", nameof(d));
        }

        var b = new PhaseBuilder(d, (graph.ResidualWidth + d.Cols - 1) / d.Cols, gemms.Any(g => g.NormColumns is not null) ? 3 : 2, gemms.Any(g => g.GeluColumns is not null || g.RequantColumns is not null));
        var identity = new sbyte[d.Cols * d.Cols];
        for (var i = 0; i < d.Cols; i++)
        {
            identity[(i * d.Cols) + i] = 1;
        }

        b.Identity = b.Tensor("I", TensorRole.Input, d.Cols, d.Cols, identity);
        var regions = new Dictionary<GraphTensor, TensorRegion>(ReferenceEqualityComparer.Instance);
        var singleBlocks = new Dictionary<GraphTensor, TensorRegion>(ReferenceEqualityComparer.Instance);
        foreach (var t in graph.Tensors)
        {
            regions[t] = t.Carried ?? (t.Vectors is { } v ? b.Blocks(t.Name, v)
                : t.Element == ElementType.Int16 ? b.Int16(t.Name, t.Role, t.Rows, t.Cols, t.WideValues)
                : t.Element == ElementType.Int4 ? Int4(d, b, t, BlockWidth(d, t))
                : t.Blocked ? b.Tensor(t.Name, t.Role, BlockCount(t, d.Cols) * t.Rows, d.Cols, BlockedValues(t, d.Cols))
                : b.Tensor(t.Name, t.Role, t.Rows, t.Cols, t.Values, t.CausalSequence));
            if (t.Element == ElementType.Int4 && t.Blocked && BlockWidth(d, t) != d.Cols)
            {
                // The same weights one column block wide as well, for GEMMs of more rows than the paired array takes (a
                // prompt's weight-stationary prefill): their block rows of COLS/2 bytes follow each other, so they load in
                // long merged bursts, where the pair layout's would be one burst a row.
                singleBlocks[t] = Int4(d, b, t, d.Cols, ".blocks");
            }
        }

        // With pairs false an int4 tensor blocked for the paired array gives its one-block-wide copy.
        Operand Op(GraphOperand o, bool pairs = true)
        {
            var r = !pairs && singleBlocks.TryGetValue(o.Tensor, out var single) ? single : regions[o.Tensor];
            if (o.Tensor.Blocked)
            {
                var whole = new Operand(r, 0) { BlockRows = o.Tensor.Rows };
                if (o.Segments is null)
                {
                    return whole.Shift(o.Row, o.Col);
                }

                if (o.Col != 0)
                {
                    throw new ArgumentException($"graph '{graph.Name}': the blocked tensor {o.Tensor.Name} is scattered from column {o.Col}; only whole rows can be");
                }

                var (runs, first) = (new List<(int, int, long)>(), 0);
                foreach (var (rows, at) in o.Segments)
                {
                    runs.Add((first, rows, at * r.StrideBytes));
                    first += rows;
                }

                return whole with { Segments = runs };
            }

            var col = (long)o.Col * r.ElementBytes;
            if (o.Segments is null)
            {
                return new(r, (o.Row * r.StrideBytes) + col);
            }

            var (segments, row0) = (new List<(int, int, long)>(), 0);
            foreach (var (rows, at) in o.Segments)
            {
                segments.Add((row0, rows, (at * r.StrideBytes) + col));
                row0 += rows;
            }

            return new(r, col) { Segments = segments };
        }

        TensorRegion? Region(GraphTensor? t) => t is null ? null : regions[t];
        GraphOperand? streamedA = null; // the A of the operation just lowered, when it was a streamed GEMM (its Aᵀ is still loaded)
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            var previousA = streamedA;
            streamedA = null;
            if (node is AttentionNode)
            {
                // A run of attention nodes (the sentences of a packed batch) is lowered together.
                var run = graph.Nodes.Skip(i).TakeWhile(n => n is AttentionNode).Cast<AttentionNode>().ToList();
                Attention(b, run, t => regions[t]);
                i += run.Count - 1;
                continue;
            }

            switch (node)
            {
                case GemmNode g:
                    b.Op(g.Name, g.Macs);
                    var paired = g.M <= GemmKernel.PairRows(d);
                    if (g.Streamed && g.Residual is null && b.StreamedGemm(Op(g.A), Op(g.B, paired), g.M, g.N, g.K, Region(g.Bias), g.Epilogue, Op(g.C), g.Requant, g.Gelu,
                        geluColumns: Region(g.GeluColumns), requantColumns: Region(g.RequantColumns), aLoaded: g.A == previousA))
                    {
                        streamedA = g.A;
                        break;
                    }

                    b.Gemm(Op(g.A), Op(g.B, paired), g.TransposedB, g.M, g.N, g.K, Region(g.Bias), g.Epilogue, Op(g.C), g.Requant, g.Softmax, g.Causal, g.Gelu,
                        g.Norm, g.Residual is null ? null : Op(g.Residual), Region(g.Affine), add: g.Add, normColumns: g.NormColumns, geluColumns: Region(g.GeluColumns),
                        requantColumns: Region(g.RequantColumns));
                    break;
                case DecodeAttentionNode a:
                    DecodeAttention(b, a, o => Op(o));
                    break;
                case LayerNormNode l:
                    b.Op(l.Name, 0);
                    b.LayerNorm(Op(l.X), l.M, l.N, regions[l.Affine], l.Norm, Op(l.C));
                    break;
                default:
                    throw new NotSupportedException($"graph node {node.GetType().Name} ({node.Name}) has no lowering");
            }
        }

        meta["phases"] = b.PhaseCount;
        var program = b.Build(graph.Name, graph.Macs, new SortedDictionary<string, object>(meta, StringComparer.Ordinal), boundLoadLead: boundLoadLead);
        return new CompiledLayer(program, b.Ops) { OpOf = b.OpOf };
    }

    /// <summary>
    /// Columns a block of a blocked matrix: COLS, or 2·COLS for int4 on a design with <c>array.int4_pairs</c>, whose block rows
    /// (COLS bytes: column block 2q in the first COLS/2, 2q + 1 in the rest) a decode step's <c>compute int4_pairs</c> takes whole.
    /// </summary>
    private static int BlockWidth(DesignModel d, GraphTensor t) => t.Element == ElementType.Int4 && d.Int4Pairs ? 2 * d.Cols : d.Cols;

    /// <summary>A <see cref="GraphTensor.Blocked"/> matrix's block count at <paramref name="width"/> columns a block.</summary>
    private static int BlockCount(GraphTensor t, int width) => (t.Cols + width - 1) / width;

    /// <summary>
    /// An int4 weight matrix: row-major at the usual stride, or blocked with each block row COLS/2 bytes right after the
    /// last (so a block is one contiguous run, as an int8 block is).
    /// </summary>
    private static TensorRegion Int4(DesignModel d, PhaseBuilder b, GraphTensor t, int width, string suffix = "")
    {
        if (!d.Int4Load || d.Cols % 2 != 0)
        {
            throw new ArgumentException(d.Int4Load
                ? $"tensor {t.Name}: int4 weights need an even array.cols (column blocks start on a byte), design '{d.Name}' has {d.Cols}"
                : $"tensor {t.Name}: int4 weights need the int4 unpacker, which design '{d.Name}' lacks (scratchpad.int4_load)");
        }

        if (t.Values is null || t.Role != TensorRole.Input)
        {
            throw new ArgumentException($"tensor {t.Name}: only input matrices with values can be int4");
        }

        return t.Blocked ? b.Int4(t.Name + suffix, BlockCount(t, width) * t.Rows, width, BlockedValues(t, width)!, packedStride: true) : b.Int4(t.Name, t.Rows, t.Cols, t.Values);
    }

    /// <summary>A <see cref="GraphTensor.Blocked"/> matrix's values in DRAM order: block by block, <paramref name="w"/> columns a block row, zero-padded.</summary>
    private static sbyte[]? BlockedValues(GraphTensor t, int w)
    {
        if (t.Element is not (ElementType.Int8 or ElementType.Int4))
        {
            throw new ArgumentException($"tensor {t.Name}: only int8 and int4 matrices can be blocked");
        }

        if (t.Values is null)
        {
            return null;
        }

        var blocked = new sbyte[BlockCount(t, w) * t.Rows * w];
        for (var r = 0; r < t.Rows; r++)
        {
            for (var c = 0; c < t.Cols; c++)
            {
                blocked[((((c / w) * t.Rows) + r) * w) + (c % w)] = t.Values[(r * t.Cols) + c];
            }
        }

        return blocked;
    }

    /// <summary>
    /// Consecutive attention nodes: as head groups sharing one Softmax normalize (<see cref="PhaseBuilder.AttentionGroups"/>)
    /// when their sequences are short enough, else node by node, head by head.
    /// </summary>
    private static void Attention(PhaseBuilder b, List<AttentionNode> run, Func<GraphTensor, TensorRegion> region)
    {
        Operand Rows(AttentionNode a, GraphTensor t) => new(region(t), a.Row * region(t).StrideBytes);
        var sequences = run.Select(a => new AttentionSequence(a.Name, a.Heads, a.Seq, a.HeadDim, Rows(a, a.Q), Rows(a, a.K), Rows(a, a.V), region(a.P),
            Rows(a, a.O), a.Softmax, a.Causal, a.RequantO) { Late = a.Late }).ToList();
        if (b.AttentionGroups(sequences))
        {
            return;
        }

        for (var i = 0; i < run.Count; i++)
        {
            if (!b.AttentionHeads(sequences[i]) && !b.AttentionHeadsKeyBlocked(sequences[i]))
            {
                if (run[i].Late)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"softmax_late=1: the late-normalized Softmax runs only in the per-head attention lowering (key-blocked past 512 tokens), which design '{b.Design.Name}' cannot use for {run[i].Seq} tokens of head dimension {run[i].HeadDim} (it needs four scratchpad banks, the output-stationary dataflow, and room for a chunk of keys with its scores, P and V); drop softmax_late"));
                }

                Attention(b, run[i], region);
            }
        }
    }

    /// <summary>
    /// The queries of one sequence over its cache, head by head, pipelined like prefill attention: QKᵀ+Softmax of head
    /// h+1 (lower accumulator window) is issued before P·V of head h (upper window). With several queries (a k-token
    /// step) the Softmax is causal with the mask shifted by the cached rows: query i sees keys 0..Context − Queries + i.
    /// </summary>
    private static void DecodeAttention(PhaseBuilder b, DecodeAttentionNode a, Func<GraphOperand, Operand> operand)
    {
        var (n, dh, k) = (a.Context, a.HeadDim, a.Queries);
        string Name(int head, string op) => a.Name + "head" + head.ToString(CultureInfo.InvariantCulture) + "." + op;
        Operand P(int head) => operand(new(a.P, (head * a.HeadRows) + a.QueryRow));
        Operand Rows(GraphTensor t, int row, int head) => operand(new(t, row, head * dh));
        void Qk(int head)
        {
            b.Op(Name(head, "qk_softmax"), (long)k * n * dh);
            if (b.StreamedScores(Rows(a.Q, a.QueryRow, head), Rows(a.KCache, a.CacheRow, head), k, n, dh, P(head), a.Softmax, k > 1, n - k, b.LowerWindow))
            {
                return;
            }

            b.Gemm(Rows(a.Q, a.QueryRow, head), Rows(a.KCache, a.CacheRow, head), true, k, n, dh, null, GemmEpilogue.Softmax, P(head), softmax: a.Softmax,
                causal: k > 1, window: b.LowerWindow, maskOffset: n - k);
        }

        Qk(0);
        for (var head = 0; head < a.Heads; head++)
        {
            if (head + 1 < a.Heads)
            {
                Qk(head + 1);
            }

            b.Op(Name(head, "pv"), (long)k * n * dh);
            if (b.StreamedGemm(P(head), Rows(a.VCache, a.CacheRow, head), k, dh, n, null, GemmEpilogue.Requantize, Rows(a.O, a.QueryRow, head), a.RequantO, null, b.UpperWindow))
            {
                continue;
            }

            b.Gemm(P(head), Rows(a.VCache, a.CacheRow, head), false, k, dh, n, null, GemmEpilogue.Requantize, Rows(a.O, a.QueryRow, head), a.RequantO, window: b.UpperWindow);
        }
    }

    /// <summary>
    /// The heads, software-pipelined: QKᵀ+Softmax of head h+1 is issued before P·V of head h, in its own half of the
    /// accumulator, so the array has work while the Softmax unit normalizes.
    /// </summary>
    private static void Attention(PhaseBuilder b, AttentionNode a, Func<GraphTensor, TensorRegion> region)
    {
        var (s, dh) = (a.Seq, a.HeadDim);
        var (qt, kt, vt, pt, ot) = (region(a.Q), region(a.K), region(a.V), region(a.P), region(a.O));
        string Name(int head, string op) => a.Name + "head" + head.ToString(CultureInfo.InvariantCulture) + "." + op;
        Operand Rows(TensorRegion t, int head) => new(t, (a.Row * t.StrideBytes) + (head * dh));
        var (scores, outputs) = b.Plan.AttentionWindows(s, dh, s);
        void Qk(int head)
        {
            b.Op(Name(head, "qk_softmax"), LayerSpec.AttentionMacs(s, dh, a.Causal));
            b.Gemm(Rows(qt, head), Rows(kt, head), true, s, s, dh, null, GemmEpilogue.Softmax, new Operand(pt, head * s * pt.StrideBytes),
                softmax: a.Softmax, causal: a.Causal, window: scores);
        }

        Qk(0);
        for (var head = 0; head < a.Heads; head++)
        {
            if (head + 1 < a.Heads)
            {
                Qk(head + 1);
            }

            b.Op(Name(head, "pv"), LayerSpec.AttentionMacs(s, dh, a.Causal));
            b.Gemm(new Operand(pt, head * s * pt.StrideBytes), Rows(vt, head), false, s, dh, s, null, GemmEpilogue.Requantize, Rows(ot, head), a.RequantO,
                window: outputs);
        }
    }
}
