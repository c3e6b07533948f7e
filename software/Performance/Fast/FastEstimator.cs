using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;

namespace HwGen.Software.Performance.Fast;

/// <summary>
/// Estimates a workload's cycles and work from the configuration and the shapes, without building the program
/// (docs/explore.md, "The fast estimator"): each operation's instructions are tallied by shape
/// (<see cref="FastGemm"/>, with the compiler's own tiling, memory plan and dataflow choices), each unit's busy cycles
/// follow <see cref="PerfReplay"/>'s per-instruction rules. The weight-stationary GEMMs, the standalone GEMM and the
/// long-attention heads are timed step by step on one <see cref="FastTimeline"/> for the whole program (loads behind the
/// computes of the step that last used their buffer, computes behind the epilogue that frees their accumulator rows,
/// carried from one operation to the next) and attributed as the replay attributes them; the residual output-stationary
/// GEMMs are timed instruction by instruction on it (<see cref="FastResidual"/>); the row LayerNorms take their busiest
/// unit's cycles and add the part of one tile's work their pipeline cannot overlap. Whole layers, stacks of them and the standalone GEMM;
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
            var single = new FastTimeline();
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
        var tl = new FastTimeline();
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
        // The layer's input (the residual of the attention's output projection; A of the post-LN projections) was written by a
        // store unless this is the first layer.
        FastOp Gemm(string name, int n, int k, GemmEpilogue e) => Op(d, p, name, count, tl, w =>
            e is GemmEpilogue.LayerNorm or GemmEpilogue.ResidualAdd && FastResidual.Os(w, d, plan, s, n, k, e, !name.StartsWith("out_proj", StringComparison.Ordinal) || count > 1, tl, p.SteadyTiles) is var tiles and > 0
                ? tiles : FastGemm.Ws(w, d, plan, s, n, k, transposedB: false, bias: true, e, span, tl, activationA: l.PreLayerNorm || !name.EndsWith("_proj", StringComparison.Ordinal) || count > 1));
        if (l.PreLayerNorm)
        {
            ops.Add(Op(d, p, "ln1", count, tl, w => RowLayerNorm(w, d, plan, s, h)));
        }

        ops.Add(Gemm("q_proj", a, h, GemmEpilogue.Requantize));
        ops.Add(Gemm("k_proj", a, h, GemmEpilogue.Requantize));
        ops.Add(Gemm("v_proj", a, h, GemmEpilogue.Requantize));
        ops.AddRange(Attention(d, plan, p, tl, s, dh, l.Causal, count, l.Heads));
        if (l.PreLayerNorm)
        {
            ops.Add(Gemm("out_proj_add1", h, a, GemmEpilogue.ResidualAdd));
            ops.Add(Op(d, p, "ln2", count, tl, w => RowLayerNorm(w, d, plan, s, h)));
            ops.Add(Gemm("ffn1_gelu", f, h, GemmEpilogue.Gelu));
            ops.Add(Gemm("ffn2_add2", h, f, GemmEpilogue.ResidualAdd));
        }
        else
        {
            ops.Add(Gemm("out_proj_ln1", h, a, GemmEpilogue.LayerNorm));
            ops.Add(Gemm("ffn1_gelu", f, h, GemmEpilogue.Gelu));
            ops.Add(Gemm("ffn2_ln2", h, f, GemmEpilogue.LayerNorm));
        }

        return ops;
    }

    // One head's QKᵀ+Softmax and P·V: the long-attention lowering, or the GEMM lowering in the attention windows.
    private static FastOp[] Attention(DesignModel d, MemoryPlan plan, PerfParameters p, FastTimeline tl, int s, int dh, bool causal, int count, int heads)
    {
        var (qk, pv) = (new WorkTally(d, p), new WorkTally(d, p));
        if (FastAttention.Heads(qk, pv, tl, d, p, plan, s, dh, causal, heads) is { } timed)
        {
            return [new FastOp("qk_softmax", (long)Math.Round(timed.Qk), qk.Counts(), count) { OnTimeline = true },
                new FastOp("pv", (long)Math.Round(timed.Pv), pv.Counts(), count) { OnTimeline = true }];
        }

        // GraphCompiler.Attention: QKᵀ+Softmax of head h+1 (scores window) is issued before P·V of head h (outputs window),
        // each head's GEMMs on the program's timeline.
        var (scores, outputs) = plan.AttentionWindows(s, dh, s);
        double qkCycles = 0, pvCycles = 0;
        void Qk() => qkCycles += Timed(tl, () => FastGemm.Ws(qk, d, plan, s, s, dh, transposedB: true, bias: false, GemmEpilogue.Softmax, scores.Hi - scores.Lo, tl, scores.Lo, activationA: false));
        void Pv() => pvCycles += Timed(tl, () => FastGemm.Ws(pv, d, plan, s, dh, s, transposedB: false, bias: false, GemmEpilogue.Requantize, outputs.Hi - outputs.Lo, tl, outputs.Lo));
        Qk();
        for (var h = 0; h < heads; h++)
        {
            if (h + 1 < heads)
            {
                Qk();
            }

            Pv();
        }

        return [new FastOp("qk_softmax", (long)Math.Round(qkCycles), qk.Counts(), count) { OnTimeline = true },
            new FastOp("pv", (long)Math.Round(pvCycles), pv.Counts(), count) { OnTimeline = true }];
    }

    private static double Timed(FastTimeline tl, Action run)
    {
        var before = tl.ComputeEnd;
        run();
        return tl.ComputeEnd - before;
    }

    // PhaseBuilder.LayerNorm: m-tiles of the residual through the identity, each normalized.
    private static int RowLayerNorm(WorkTally w, DesignModel d, MemoryPlan plan, int m, int n)
    {
        var blocks = (n + d.Cols - 1) / d.Cols;
        var (tm, _) = KernelGeometry.LayerNormTiles(d, plan, m, n);
        w.Loads(1, 2 * blocks, d.Cols, Generator.Isa.LoadTarget.Accumulator);
        foreach (var (mt, mc) in FastGemm.Pieces(m, tm))
        {
            FastGemm.Residual(w, d, mc, mt, n, !plan.Banked, plan);
            FastGemm.Epilogue(w, d, mc, GemmEpilogue.LayerNorm, mt, n, blocks);
        }

        return (m + tm - 1) / tm;
    }

    /// <summary>
    /// Share of an operation's non-bottleneck work its pipeline does not hide, per tile: the first tile's loads and the
    /// last tile's stores stand alone, but neighbouring operations overlap them. Chosen against the replay on the presets
    /// and shipped configurations (docs/explore.md; in the first, per-operation version 0 and 1 were 3–6 % and 2–17 % off
    /// on whole layers, 0.5 within 1–7 %).
    /// </summary>
    private const double Unhidden = 0.5;

    private static FastOp Op(DesignModel d, PerfParameters p, string name, int repeat, FastTimeline tl, Func<WorkTally, int> tally)
    {
        var w = new WorkTally(d, p);
        var op = Finish(name, repeat, w, tally(w));
        if (!w.OnTimeline)
        {
            tl.Advance(op.Cycles);
        }

        return op;
    }

    private static FastOp Finish(string name, int repeat, WorkTally w, int tileCount)
    {
        var tiles = Math.Max(1, tileCount);
        var (l, e, s) = (w.LoadSide, w.Execute, w.Store);
        var busy = w.Pipelined;
        if (w.OnTimeline)
        {
            // Timed on the program's timeline: its ends are the neighbours'; the program's first loads count once.
            return new FastOp(name, (long)Math.Round(busy - w.Lead), w.Counts(), repeat) { Once = (long)Math.Round(w.Lead), LastStore = s / tiles, OnTimeline = true };
        }

        var exposed = Unhidden * Math.Max(0, l + e + s - busy) / tiles;
        return new FastOp(name, (long)Math.Round(busy + exposed), w.Counts(), repeat) { FirstLoad = l / tiles, LastStore = s / tiles };
    }

    // The program's ends: its first loads (when the first operation was not timed on the timeline, which has them) and the
    // stores after its last compute, which the replay gives the last operation.
    private static FastEstimate Total(DesignModel d, PerfParameters p, double macs, List<FastOp> ops, FastTimeline tl)
    {
        if (!ops[0].OnTimeline)
        {
            ops[0] = ops[0] with { Once = ops[0].Once + (long)Math.Round(Unhidden * ops[0].FirstLoad) };
        }

        var last = ops[^1];
        var tail = last.OnTimeline ? Math.Max(0, tl.StoreEnd - tl.ComputeEnd) + p.MemoryLatency + p.WriteResponseExtra + 2 : Unhidden * last.LastStore;
        ops[^1] = last with { Once = last.Once + (long)Math.Round(tail) };
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
