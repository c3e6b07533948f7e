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
/// <para>Schedule: output tiles of TileM × (BlocksN·COLS), each built in K steps. Step s loads its A and
/// B slices into scratchpad buffer s mod 2 and runs BlocksN (× ROWS-row subtiles for OS) computes into
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
        var (addrA, strideA, addrB, strideB, addrC, strideC) = (a.Address, a.StrideBytes, b.Address, b.StrideBytes, c.Address, c.StrideBytes);
        var plan = MemoryPlan.For(d);
        var ws = t.Dataflow == Dataflow.Ws;
        var blocks = TilingSearch.CeilDiv(w.N, d.Cols);
        var nM = TilingSearch.CeilDiv(w.M, t.TileM);
        var nG = TilingSearch.CeilDiv(blocks, t.BlocksN);
        var nK = TilingSearch.CeilDiv(w.K, t.ChunkK);
        var tiles = nM * nG;
        var steps = tiles * nK;

        // Loads and computes of global step s; stores of tile tile.
        List<PendingInstruction> Loads(int s)
        {
            var (mi, gi, ki) = Decompose(s);
            var (m0, mt) = Span(mi, t.TileM, w.M);
            var (k0, kc) = Span(ki, t.ChunkK, w.K);
            var aBuf = plan.ABuffer(s % 2);
            var bBuf = plan.BBuffer(s % 2);
            var list = new List<PendingInstruction>();
            if (ws)
            {
                list.Add(PendingInstruction.Load(LoadTarget.Scratchpad, mt, kc, aBuf, addrA + (m0 * strideA) + k0, strideA));
            }
            else
            {
                for (var sub = 0; sub * d.Rows < mt; sub++)
                {
                    var rows = Math.Min(d.Rows, mt - (sub * d.Rows));
                    for (var p = 0; p * d.SpRowBytes < kc; p++)
                    {
                        var cols = Math.Min(d.SpRowBytes, kc - (p * d.SpRowBytes));
                        list.Add(PendingInstruction.Load(LoadTarget.ScratchpadTransposed, rows, cols, aBuf + (sub * t.ChunkK) + (p * d.SpRowBytes),
                            addrA + ((m0 + (sub * d.Rows)) * strideA) + k0 + (p * d.SpRowBytes), strideA));
                    }
                }
            }

            foreach (var (j, n0, nc) in Blocks(gi))
            {
                list.Add(PendingInstruction.Load(LoadTarget.Scratchpad, kc, nc, bBuf + (j * t.ChunkK), addrB + (k0 * strideB) + n0, strideB));
            }

            return list;
        }

        List<PendingInstruction> Computes(int s)
        {
            var (mi, gi, ki) = Decompose(s);
            var (_, mt) = Span(mi, t.TileM, w.M);
            var (_, kc) = Span(ki, t.ChunkK, w.K);
            var tile = s / nK;
            var aBuf = plan.ABuffer(s % 2);
            var bBuf = plan.BBuffer(s % 2);
            var cBuf = plan.AccBuffer(tile % 2);
            var mode = ki == 0 ? ComputeMode.Overwrite : ComputeMode.Accumulate;
            var list = new List<PendingInstruction>();
            foreach (var (j, _, _) in Blocks(gi))
            {
                if (ws)
                {
                    list.Add(PendingInstruction.Compute(Dataflow.Ws, mode, mt, kc, aBuf, bBuf + (j * t.ChunkK), cBuf + (j * t.TileM)));
                }
                else
                {
                    for (var sub = 0; sub * d.Rows < mt; sub++)
                    {
                        list.Add(PendingInstruction.Compute(Dataflow.Os, mode, Math.Min(d.Rows, mt - (sub * d.Rows)), kc,
                            aBuf + (sub * t.ChunkK), bBuf + (j * t.ChunkK), cBuf + (j * t.TileM) + (sub * d.Rows)));
                    }
                }
            }

            return list;
        }

        List<PendingInstruction> Stores(int tile)
        {
            var (mi, gi, _) = Decompose(tile * nK);
            var (m0, mt) = Span(mi, t.TileM, w.M);
            var cBuf = plan.AccBuffer(tile % 2);
            var list = new List<PendingInstruction>();
            foreach (var (j, n0, nc) in Blocks(gi))
            {
                list.Add(PendingInstruction.Store(w.Gelu is null ? StoreFunc.Requantize : StoreFunc.Gelu, mt, nc, cBuf + (j * t.TileM),
                    addrC + (m0 * strideC) + n0, strideC));
            }

            return list;
        }

        (int Mi, int Gi, int Ki) Decompose(int s) => (s / nK / nG, s / nK % nG, s % nK);

        IEnumerable<(int J, int N0, int Nc)> Blocks(int gi)
        {
            for (var j = 0; j < t.BlocksN; j++)
            {
                var block = (gi * t.BlocksN) + j;
                if (block >= blocks)
                {
                    yield break;
                }

                var n0 = block * d.Cols;
                yield return (j, n0, Math.Min(d.Cols, w.N - n0));
            }
        }

        var pending = new List<PendingInstruction> { PendingInstruction.ConfigStore(w.Requant) };
        if (w.Gelu is { } gelu)
        {
            pending.AddRange(PostConfig.Gelu(gelu));
        }

        pending.AddRange(Loads(0));
        for (var s = 0; s < steps; s++)
        {
            pending.AddRange(Interleave(s + 1 < steps ? Loads(s + 1) : [], Computes(s)));
            if (s % nK == nK - 1)
            {
                pending.AddRange(Stores(s / nK));
            }
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

    private static (int Start, int Length) Span(int index, int size, int total)
    {
        var start = index * size;
        return (start, Math.Min(size, total - start));
    }
}
