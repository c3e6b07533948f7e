using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;

namespace HwGen.Software.Performance.Fast;

/// <summary>
/// Estimates a workload's cycles and work from the configuration and the shapes, without building the program
/// (docs/explore.md, "The fast estimator"): each operation's instructions are tallied by shape
/// (<see cref="FastGemm"/>, with the compiler's own tiling, memory plan and dataflow choices), each unit's busy cycles
/// follow <see cref="PerfReplay"/>'s per-instruction rules. The weight-stationary GEMMs, the standalone GEMM, the
/// long-attention heads and the row LayerNorms are timed step by step on one <see cref="FastTimeline"/> for the whole
/// program (loads behind the computes of the step that last used their buffer, computes behind the epilogue that frees
/// their accumulator rows and behind full load and store queues, carried from one operation to the next) and attributed as
/// the replay attributes them; the residual output-stationary GEMMs are timed instruction by instruction on it
/// (<see cref="FastResidual"/>). Whole layers, stacks of them and the standalone GEMM;
/// other workloads (row operations, the late Softmax, packed batches) are not estimated (<see cref="Supports"/>).
/// </summary>
public static class FastEstimator
{
    /// <summary>True when <paramref name="spec"/> is a workload the estimator covers.</summary>
    public static bool Supports(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind is "gemm" or "gemm+gelu"
            ? spec.Get("wbits", 8) == 8
            : WorkloadCompiler.IsLayer(spec) && spec.Get("softmax_late", 0) == 0 && spec.Get("columns", 0) == 0 && !Decode.DecodeModel.IsDecode(spec);
    }

    /// <summary>The layers a layer workload names (the preset with its overrides and pruning), without their weights.</summary>
    public static IReadOnlyList<LayerSpec> Shapes(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var layer = LayerCompiler.Shape(spec);
        var n = LayerCompiler.Layers(spec);
        var masks = LayerCompiler.Masks(spec, layer);
        return Enumerable.Range(0, n).Select(i => masks is null ? layer : layer.Prune(masks[i].Heads.Count, masks[i].Filters.Count)).ToList();
    }

    /// <summary>Estimates <paramref name="spec"/> on <paramref name="d"/>.</summary>
    /// <exception cref="ArgumentException">A workload the estimator does not cover, or one that does not fit the design (as the compiler says).</exception>
    public static FastEstimate Estimate(DesignModel d, WorkloadSpec spec, PerfParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(spec);
        if (!Supports(spec))
        {
            throw new ArgumentException($"workload '{spec}': the fast estimator covers layer presets and GEMMs only; use the replay estimator", nameof(spec));
        }

        var p = parameters ?? PerfParameters.Default;
        if (spec.Kind is "gemm" or "gemm+gelu")
        {
            var (m, n, k) = ((int)spec.Get("M"), (int)spec.Get("N"), (int)spec.Get("K"));
            var df = WorkloadCompiler.DefaultDataflow(d);
            var single = new FastTimeline(d);
            var op = Op(d, p, "gemm", 1, single, w => FastGemm.Streamed(w, d, m, n, k, df, spec.Kind == "gemm+gelu", single));
            return Total(d, p, (double)m * n * k, [op], single);
        }

        return Layers(d, Shapes(spec), p);
    }

    /// <summary>Estimates a stack of layers (one program, as <see cref="LayerCompiler.CompileLayers"/> compiles it).</summary>
    /// <exception cref="ArgumentException">The design lacks what a layer needs, or a row does not fit (the compiler's message).</exception>
    public static FastEstimate Layers(DesignModel d, IReadOnlyList<LayerSpec> layers, PerfParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(layers);
        if (!d.TransposedLoad)
        {
            throw new ArgumentException($"layers need scratchpad.transposed_load, which configuration '{d.Name}' turns off");
        }

        if (!d.SupportWs || !d.UnitSoftmax || !d.UnitLayerNorm || !d.UnitGelu)
        {
            throw new ArgumentException($"design '{d.Name}' needs the weight-stationary dataflow and the softmax, layernorm and gelu units to run a whole layer", nameof(d));
        }

        var p = parameters ?? PerfParameters.Default;
        var plan = MemoryPlan.For(d, (layers[0].Hidden + d.Cols - 1) / d.Cols);
        var ops = new List<FastOp>();
        var tl = new FastTimeline(d);
        foreach (var group in layers.GroupBy(l => l).Select(g => (Spec: g.Key, Count: g.Count())))
        {
            ops.AddRange(Layer(d, plan, p, tl, group.Spec, group.Count));
        }

        return Total(d, p, layers.Sum(l => (double)l.Macs), ops, tl);
    }

    private static List<FastOp> Layer(DesignModel d, MemoryPlan plan, PerfParameters p, FastTimeline tl, LayerSpec l, int count)
    {
        int s = l.Seq, h = l.Hidden, f = l.Ffn, a = l.AttentionWidth, dh = l.HeadDim;
        var span = plan.BufferTop;
        var ops = new List<FastOp>();
        void Add(params FastOp[] added)
        {
            // What the operation's first loads added to the end of the operation before is that one's (FastTimeline.Step);
            // the layer's first operation's would be the previous layer's last, which is not estimated apart: it stays.
            var extended = (long)Math.Round(tl.Extended);
            ops.AddRange(added);
            var at = ops.Count - added.Length;
            if (extended > 0 && at > 0)
            {
                ops[at - 1] = ops[at - 1] with { Cycles = ops[at - 1].Cycles + extended };
                ops[at] = ops[at] with { Cycles = ops[at].Cycles - extended };
            }
        }

        // The layer's input (the residual of the attention's output projection; A of the post-LN projections) was written by a
        // store unless this is the first layer.
        FastOp Gemm(string name, int n, int k, GemmEpilogue e) => Op(d, p, name, count, tl, w =>
            e is GemmEpilogue.LayerNorm or GemmEpilogue.ResidualAdd && FastResidual.Os(w, d, plan, s, n, k, e, !name.StartsWith("out_proj", StringComparison.Ordinal) || count > 1, tl, p.SteadyTiles) is var tiles and > 0
                ? tiles : FastGemm.Ws(w, d, plan, s, n, k, transposedB: false, bias: true, e, span, tl, activationA: l.PreLayerNorm || !name.EndsWith("_proj", StringComparison.Ordinal) || count > 1, pieces: true));
        if (l.PreLayerNorm)
        {
            Add(Op(d, p, "ln1", count, tl, w => FastGemm.RowLayerNorm(w, d, plan, s, h, tl, activation: count > 1)));
        }

        Add(Gemm("q_proj", a, h, GemmEpilogue.Requantize));
        Add(Gemm("k_proj", a, h, GemmEpilogue.Requantize));
        Add(Gemm("v_proj", a, h, GemmEpilogue.Requantize));
        Add(Attention(d, plan, p, tl, s, dh, l.Causal, count, l.Heads));
        if (l.PreLayerNorm)
        {
            Add(Gemm("out_proj_add1", h, a, GemmEpilogue.ResidualAdd));
            Add(Op(d, p, "ln2", count, tl, w => FastGemm.RowLayerNorm(w, d, plan, s, h, tl, activation: true)));
            Add(Gemm("ffn1_gelu", f, h, GemmEpilogue.Gelu));
            Add(Gemm("ffn2_add2", h, f, GemmEpilogue.ResidualAdd));
        }
        else
        {
            Add(Gemm("out_proj_ln1", h, a, GemmEpilogue.LayerNorm));
            Add(Gemm("ffn1_gelu", f, h, GemmEpilogue.Gelu));
            Add(Gemm("ffn2_ln2", h, f, GemmEpilogue.LayerNorm));
        }

        return ops;
    }

    // One head's QKᵀ+Softmax and P·V: the long-attention lowering, or the GEMM lowering in the attention windows.
    private static FastOp[] Attention(DesignModel d, MemoryPlan plan, PerfParameters p, FastTimeline tl, int s, int dh, bool causal, int count, int heads)
    {
        tl.BeginOp();
        var (qk, pv) = (new WorkTally(d, p), new WorkTally(d, p));
        if (FastAttention.Heads(qk, pv, tl, d, p, plan, s, dh, causal, heads) is { } timed)
        {
            return [new FastOp("qk_softmax", (long)Math.Round(timed.Qk), qk.Counts(), count),
                new FastOp("pv", (long)Math.Round(timed.Pv), pv.Counts(), count)];
        }

        // GraphCompiler.Attention: QKᵀ+Softmax of head h+1 (scores window) is issued before P·V of head h (outputs window),
        // each head's GEMMs on the program's timeline.
        var (scores, outputs) = plan.AttentionWindows(s, dh, s);
        double qkCycles = 0, pvCycles = 0;
        // P of head j is loaded among the last computes of the operation before P·V j (QKᵀ j+1, or P·V j−1 for the last
        // head). P is written by a normalize, and the token scheduler has no load↔store channel: it relays the last one in
        // the scores window (QKᵀ j's) through the compute before that load, so that operation's last step waits for it.
        (int, int) scoresWindow = (scores.Lo, scores.Hi);
        void Qk(bool relay) => qkCycles += FastAttentionGemm.Ws(qk, d, plan, s, s, dh, transposedB: true, GemmEpilogue.Softmax, scores.Hi - scores.Lo, tl, scores.Lo,
            activationA: false, relay ? scoresWindow : default);
        void Pv(bool relay) => pvCycles += FastAttentionGemm.Ws(pv, d, plan, s, dh, s, transposedB: false, GemmEpilogue.Requantize, outputs.Hi - outputs.Lo, tl,
            outputs.Lo, activationA: true, relay ? scoresWindow : default);
        Qk(false);
        for (var h = 0; h < heads; h++)
        {
            if (h + 1 < heads)
            {
                Qk(true);
            }

            Pv(h + 2 == heads);
        }

        return [new FastOp("qk_softmax", (long)Math.Round(qkCycles), qk.Counts(), count),
            new FastOp("pv", (long)Math.Round(pvCycles), pv.Counts(), count)];
    }

    private static FastOp Op(DesignModel d, PerfParameters p, string name, int repeat, FastTimeline tl, Func<WorkTally, int> tally)
    {
        var w = new WorkTally(d, p);
        tl.BeginOp();
        tally(w);
        // Timed on the program's timeline: its ends are the neighbours'; the program's first loads count once.
        return new FastOp(name, (long)Math.Round(w.Pipelined - w.Lead), w.Counts(), repeat) { Once = (long)Math.Round(w.Lead) };
    }

    // The program's end: the stores after its last compute, which the replay gives the last operation.
    private static FastEstimate Total(DesignModel d, PerfParameters p, double macs, List<FastOp> ops, FastTimeline tl)
    {
        var tail = Math.Max(0, tl.StoreEnd - tl.ComputeEnd) + p.MemoryLatency + p.WriteResponseExtra + 2;
        ops[^1] = ops[^1] with { Once = ops[^1].Once + (long)Math.Round(tail) };
        var counts = new WorkCounts();
        long cycles = 0;
        foreach (var op in ops)
        {
            counts += op.Counts.Times(op.Repeat);
            cycles += op.TotalCycles;
        }

        return new FastEstimate(cycles, macs / d.Pes, counts, ops);
    }
}
