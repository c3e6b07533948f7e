using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Software.Compiler;

/// <summary>
/// Compiles <c>C = requant(A·B)</c> into a program with its DRAM image.
/// </summary>
/// <remarks>
/// <para>DRAM layout (byte addresses): A (M×K int8) at 0; B (K×N int8); C (M×N int8, pre-filled with
/// <see cref="Poison"/> so an unwritten output shows); then the program. Each region starts on a
/// 64-byte boundary; row strides are padded to a multiple of max(16, AXI bytes); the image is
/// padded to a 4 KiB multiple.</para>
/// <para>Schedule: the tiling <see cref="TilingSearch.Choose"/> finds, walked by <see cref="GemmKernel"/>: output tiles
/// of TileM × (BlocksN·COLS), each built in K steps. Step s loads its A and B slices into the streamed scratchpad
/// buffers s mod 2 of the <see cref="MemoryPlan"/> and runs BlocksN (× ROWS-row subtiles for OS) computes into
/// accumulator buffer (tile mod 2); the last step of a tile is followed by its stores. The loads of step
/// s+1 are interleaved with the computes of step s in program order, so the in-order dispatcher never
/// blocks the execute queue behind a full load queue. The kernel places no tokens: <see cref="TokenScheduler"/>
/// derives them from the scratchpad and accumulator hazards (a GEMM has no load/store hazard, so no relay).</para>
/// </remarks>
public static class GemmCompiler
{
    /// <summary>Byte value the output region holds before the run.</summary>
    public const byte Poison = DramImage.Poison;

    /// <summary>Compiles a workload specification (kind gemm).</summary>
    public static CompiledProgram Compile(DesignModel d, WorkloadSpec spec, Dataflow dataflow) =>
        Compile(d, GemmWorkload.FromSpec(spec), dataflow);

    /// <summary>Compiles a GEMM, choosing the tiling with <see cref="TilingSearch"/> unless one is given.</summary>
    public static CompiledProgram Compile(DesignModel d, GemmWorkload w, Dataflow dataflow, GemmTiling? tiling = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(w);
        if (!d.Supports(dataflow))
        {
            throw new ArgumentException($"design '{d.Name}' does not support the {dataflow} dataflow", nameof(dataflow));
        }

        var t = tiling ?? TilingSearch.Choose(d, w.M, w.N, w.K, dataflow);
        if (t.Dataflow != dataflow || !TilingSearch.Fits(d, MemoryPlan.For(d), t))
        {
            throw new ArgumentException($"tiling {t} does not fit design '{d.Name}'", nameof(tiling));
        }

        var image = new DramImage(d);
        var a = image.Int8("A", TensorRole.Input, w.M, w.K, w.A);
        var b = image.Int8("B", TensorRole.Input, w.K, w.N, w.B);
        var c = image.Int8("C", TensorRole.Output, w.M, w.N, null);
        var program = Schedule(d, w, t, a, b, c);

        var inv = CultureInfo.InvariantCulture;
        var meta = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["M"] = w.M,
            ["N"] = w.N,
            ["K"] = w.K,
            ["seed"] = w.Seed,
            ["scale_a"] = w.ScaleA,
            ["scale_b"] = w.ScaleB,
            ["scale_c"] = w.ScaleC,
            ["multiplier"] = w.Requant.Multiplier,
            ["shift"] = w.Requant.Shift,
            ["relu"] = w.Requant.Relu,
            ["rounding"] = "half_up",
            ["dataflow"] = dataflow == Dataflow.Ws ? "ws" : "os",
            ["tiling"] = t.ToString(),
            ["poison"] = Poison.ToString(inv),
        };
        if (w.Gelu is { } g)
        {
            meta["kernel"] = "gelu";
            meta["gelu_input_scale"] = g.InputScale;
            meta["gelu_clip"] = g.ClipMagnitude;
            meta["gelu_offset"] = g.Offset;
            meta["gelu_erf_shift"] = g.ErfShift;
            meta["gelu_one"] = g.One;
            meta["gelu_out_mult"] = g.Output.Multiplier;
            meta["gelu_out_shift"] = g.Output.Shift;
        }

        return image.Build(w.Spec, program, w.Macs, meta,
            w.Gelu is null ? [] : [new KernelReference("gelu", "C", w.GeluFloatReference(), w.ScaleC)]);
    }

    private static List<Instruction> Schedule(DesignModel d, GemmWorkload w, GemmTiling t, TensorRegion a, TensorRegion b, TensorRegion c)
    {
        var plan = MemoryPlan.For(d);
        var func = w.Gelu is null ? StoreFunc.Requantize : StoreFunc.Gelu;
        var steps = new List<Phase>();
        foreach (var s in GemmKernel.Steps(d, t, w.M, w.N, w.K))
        {
            // Steps alternate between the two scratchpad buffers, tiles between the two accumulator buffers.
            var at = new GemmBuffers(plan.ABuffer(s.Index % 2), plan.BBuffer(s.Index % 2), t.ChunkK, plan.AccBuffer(s.Tile % 2), t.TileM);
            var ph = new Phase();
            if (t.Dataflow == Dataflow.Ws)
            {
                GemmKernel.Ws(d, ph, s, new(a, 0), new(b, 0), false, w.N, at);
            }
            else
            {
                GemmKernel.Os(d, ph, s, new(a, 0), new(b, 0), w.N, at);
            }

            if (s.K0 + s.Kl == w.K)
            {
                GemmKernel.Stores(d, ph.Stores, func, s, w.N, at.Acc, at.AccPitch, new(c, 0));
            }

            steps.Add(ph);
        }

        var pending = new List<PendingInstruction> { PendingInstruction.ConfigStore(w.Requant) };
        if (w.Gelu is { } gelu)
        {
            pending.AddRange(PostConfig.Gelu(gelu));
        }

        pending.AddRange(steps[0].Loads);
        for (var i = 0; i < steps.Count; i++)
        {
            pending.AddRange(Interleave(i + 1 < steps.Count ? steps[i + 1].Loads : [], steps[i].Computes));
            pending.AddRange(steps[i].Stores);
        }

        return TokenScheduler.Schedule(d, pending, relayRow: null).Program.Select(p => p.Build()).ToList();
    }

    /// <summary>Merges two lists, spreading the first evenly among the second (first's element first).</summary>
    private static List<PendingInstruction> Interleave(List<PendingInstruction> a, List<PendingInstruction> b)
    {
        var merged = new List<PendingInstruction>(a.Count + b.Count);
        int ia = 0, ib = 0;
        while (ia < a.Count || ib < b.Count)
        {
            // Take from a while its share (ia/a.Count) does not run ahead of b's share.
            if (ia < a.Count && (ib >= b.Count || (long)ia * b.Count <= (long)ib * a.Count))
            {
                merged.Add(a[ia++]);
            }
            else
            {
                merged.Add(b[ib++]);
            }
        }

        return merged;
    }
}
