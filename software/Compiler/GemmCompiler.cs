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
/// <para>Schedule: a one-GEMM program of the phase builder. The tiling <see cref="TilingSearch.Choose"/> finds is walked
/// by <see cref="GemmKernel"/>: output tiles of TileM × (BlocksN·COLS), each built in K steps, one phase each. Step s
/// loads its A and B slices into the streamed scratchpad buffers s mod 2 of the <see cref="MemoryPlan"/> and runs
/// BlocksN (× ROWS-row subtiles for OS) computes into accumulator buffer (tile mod 2); the last step of a tile is
/// followed by its stores. <see cref="PhaseBuilder.Build"/> interleaves the loads of step s+1 with the computes of step
/// s in program order, loads leading, so the in-order dispatcher never blocks the execute queue behind a full load
/// queue; <see cref="TokenScheduler"/> derives the tokens from the scratchpad and accumulator hazards (a GEMM has no
/// load/store hazard, so no relay).</para>
/// </remarks>
public static class GemmCompiler
{
    /// <summary>Byte value the output region holds before the run.</summary>
    public const byte Poison = DramImage.Poison;

    /// <summary>Compiles a workload specification (kind gemm).</summary>
    public static CompiledProgram Compile(DesignModel d, WorkloadSpec spec, Dataflow dataflow) =>
        Compile(d, GemmWorkload.FromSpec(spec), dataflow);

    /// <summary>Compiles a GEMM as the phases of <see cref="PhaseBuilder.Gemm(Operand, Operand, int, int, int, GemmTiling, StoreFunc, Operand)"/>, choosing the tiling with <see cref="TilingSearch"/> unless one is given.</summary>
    public static CompiledProgram Compile(DesignModel d, GemmWorkload w, Dataflow dataflow, GemmTiling? tiling = null)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(w);
        if (!d.Supports(dataflow))
        {
            throw new ArgumentException($"design '{d.Name}' does not support the {dataflow} dataflow", nameof(dataflow));
        }

        if (w.WeightBits == 4 && (!d.Int4Load || d.Cols % 2 != 0))
        {
            throw new ArgumentException(d.Int4Load
                ? $"int4 weights need an even array.cols (column blocks start on a byte), design '{d.Name}' has {d.Cols}"
                : $"int4 weights need the int4 unpacker, which design '{d.Name}' lacks (scratchpad.int4_load)");
        }

        // Per-channel weight scales: block b's multipliers at accumulator row (top - 1 - blocks) + b, below the relay row,
        // loaded once; the output buffers leave those rows and the relay row free.
        var blocks = (w.N + d.Cols - 1) / d.Cols;
        var reserved = w.ColumnRequant is null ? 0 : blocks + 1;
        if (w.ColumnRequant is not null && (!d.RequantPerColumn || 2 * reserved > MemoryPlan.For(d).AccBufferRows))
        {
            throw new ArgumentException(!d.RequantPerColumn
                ? $"per-channel weight scales need per-column requantization, which design '{d.Name}' lacks (requant.per_column); use chscale=0"
                : $"per-channel weight scales of {w.N} columns need {blocks} accumulator rows, more than design '{d.Name}' can spare; use chscale=0");
        }

        var t = tiling ?? TilingSearch.Choose(d, w.M, w.N, w.K, dataflow, reserved);
        if (t.Dataflow != dataflow || !TilingSearch.Fits(d, MemoryPlan.For(d), t, reserved))
        {
            throw new ArgumentException($"tiling {t} does not fit design '{d.Name}'", nameof(tiling));
        }

        var b = new PhaseBuilder(d, 0);
        b.Op(w.Gelu is null ? "gemm" : "gemm+gelu", w.Macs);
        var ta = b.Tensor("A", TensorRole.Input, w.M, w.K, w.A);
        var tb = w.WeightBits == 4 ? b.Int4("B", w.K, w.N, w.B) : b.Tensor("B", TensorRole.Input, w.K, w.N, w.B);
        var tc = b.Tensor("C", TensorRole.Output, w.M, w.N, null);
        b.Preamble([PendingInstruction.ConfigStore(w.Requant)]);
        int? columnRow = null;
        if (w.ColumnRequant is { } columns)
        {
            var tm = b.Blocks("BM", [[.. columns.Select(r => (int)r.Multiplier)]]);
            columnRow = d.AccDepth - 1 - blocks;
            b.Preamble([PendingInstruction.Load(LoadTarget.Accumulator, blocks, d.Cols, columnRow.Value, tm.Address, tm.StrideBytes)]);
        }

        if (w.Gelu is { } gelu)
        {
            b.Preamble(PostConfig.Gelu(gelu));
        }

        b.Gemm(new(ta, 0), new(tb, 0), w.M, w.N, w.K, t, w.Gelu is null ? StoreFunc.Requantize : StoreFunc.Gelu, new(tc, 0), columnRow);

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
            ["wbits"] = w.WeightBits,
            ["rounding"] = "half_up",
            ["dataflow"] = dataflow == Dataflow.Ws ? "ws" : "os",
            ["tiling"] = t.ToString(),
            ["poison"] = Poison.ToString(inv),
        };
        if (w.WeightBits == 4)
        {
            meta["chscale"] = w.ColumnRequant is null ? 0 : 1;
        }

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

        return b.Build(w.Spec, w.Macs, meta, w.Gelu is null ? [] : [new KernelReference("gelu", "C", w.GeluFloatReference(), w.ScaleC)], leadingLoads: true);
    }
}
