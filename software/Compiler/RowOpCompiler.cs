using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Software.Compiler;

/// <summary>
/// The row-operation kernels: int32 input loaded into the accumulator (<c>load target=acc</c>) and written through a
/// store-path unit to int8: the standalone GELU (<c>store func=gelu</c>), Softmax, LayerNorm and residual add
/// (<c>normalize</c>). Kernels emit instructions without tokens; <see cref="TokenScheduler"/> places them (and the relay
/// computes between the load and store units, into the relay row of <see cref="MemoryPlan"/>).
/// </summary>
/// <remarks>
/// DRAM (<see cref="DramImage"/>): X (Rows×Cols int32), the residual R, LayerNorm's γ/β blocks, Y (Rows×Cols int8,
/// pre-filled with <see cref="DramImage.Poison"/>), then the program. Chunks of whole rows hold their blocks block-major
/// (block b of row r at accumulator row base + b·n + r), alternating between the two accumulator halves.
/// </remarks>
public static class RowOpCompiler
{
    /// <summary>Compiles a workload specification of kind gelu, softmax, layernorm or resadd.</summary>
    public static CompiledProgram Compile(DesignModel d, WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind switch
        {
            "gelu" => Compile(d, GeluWorkload.FromSpec(spec)),
            "softmax" => Compile(d, SoftmaxWorkload.FromSpec(spec)),
            "layernorm" => Compile(d, LayerNormWorkload.FromSpec(spec)),
            "resadd" => Compile(d, ResidualAddWorkload.FromSpec(spec)),
            _ => throw new ArgumentException($"workload kind '{spec.Kind}' is not a row operation", nameof(spec)),
        };
    }

    /// <summary>Compiles a standalone GELU.</summary>
    public static CompiledProgram Compile(DesignModel d, GeluWorkload w)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(w);
        if (!d.UnitGelu)
        {
            throw new ArgumentException($"design '{d.Name}' has no GELU unit (units.gelu: false)", nameof(d));
        }

        var (image, x, y) = Tensors(d, w.Rows, w.Cols, [w.Input]);
        var program = new List<PendingInstruction>(PostConfig.Gelu(w.Constants));
        program.AddRange(GeluChunks(d, w.Rows, w.Cols, x[0], y));
        var c0 = w.Constants;
        return Finish(d, image, w.Spec, w.Rows, w.Cols, program, new KernelReference("gelu", "Y", w.FloatReference(), c0.OutputScale),
            new(StringComparer.Ordinal)
            {
                ["seed"] = w.Seed,
                ["scale_x"] = w.InputScale,
                ["scale_y"] = c0.OutputScale,
                ["gelu_clip"] = c0.ClipMagnitude,
                ["gelu_offset"] = c0.Offset,
                ["gelu_erf_shift"] = c0.ErfShift,
                ["gelu_one"] = c0.One,
                ["gelu_out_mult"] = c0.Output.Multiplier,
                ["gelu_out_shift"] = c0.Output.Shift,
            });
    }

    /// <summary>Compiles a standalone Softmax: one <c>normalize</c> per chunk of whole logical rows.</summary>
    /// <exception cref="ArgumentException">The design has no Softmax unit, or one row's blocks do not fit the accumulator.</exception>
    public static CompiledProgram Compile(DesignModel d, SoftmaxWorkload w)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(w);
        if (!d.UnitSoftmax)
        {
            throw new ArgumentException($"design '{d.Name}' has no Softmax unit (units.softmax: false)", nameof(d));
        }

        var (image, x, y) = Tensors(d, w.Rows, w.Cols, [w.Input]);
        var program = new List<PendingInstruction>(PostConfig.Softmax(w.Constants));
        program.AddRange(RowChunks(d, MemoryPlan.For(d), w.Rows, w.Cols, x, (r0, n, xBase) =>
            PendingInstruction.Normalize(NormalizeFunc.Softmax, n, w.Cols, xBase, y.Address + (r0 * y.StrideBytes), y.StrideBytes, w.Causal, w.Causal ? r0 : 0)));
        return Finish(d, image, w.Spec, w.Rows, w.Cols, program,
            new KernelReference("softmax", "Y", w.FloatReference(), Numerics.Transformer.IntSoftmaxConstants.OutputScale),
            new(StringComparer.Ordinal)
            {
                ["causal"] = w.Causal ? 1 : 0,
                ["seed"] = w.Seed,
                ["scale_x"] = w.Constants.InputScale,
                ["scale_y"] = Numerics.Transformer.IntSoftmaxConstants.OutputScale,
                ["softmax_mult"] = w.Constants.Input.Multiplier,
                ["softmax_shift"] = w.Constants.Input.Shift,
            });
    }

    /// <summary>
    /// Compiles a standalone LayerNorm. γ/β occupy 2·ceil(Cols/COLS) accumulator rows just below the relay row (γ block b
    /// at affine + 2b, β at affine + 2b + 1), loaded once; the first normalize copies them into the unit's cache. A chunk's
    /// residual blocks go to the accumulator half that does not hold its x blocks (see RowChunks), and a config_post
    /// ln_residual before each normalize points at them.
    /// </summary>
    /// <exception cref="ArgumentException">The design has no LayerNorm unit, or one row's blocks do not fit the accumulator.</exception>
    public static CompiledProgram Compile(DesignModel d, LayerNormWorkload w)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(w);
        if (!d.UnitLayerNorm)
        {
            throw new ArgumentException($"design '{d.Name}' has no LayerNorm unit (units.layernorm: false)", nameof(d));
        }

        var plan = MemoryPlan.For(d, (w.Cols + d.Cols - 1) / d.Cols);
        var affine = plan.GammaBetaRow;
        var (image, x, y) = Tensors(d, w.Rows, w.Cols, w.HasResidual ? [w.Input, w.Residual] : [w.Input],
            img => img.Blocks("GB", [w.Gamma.Select(v => (int)v).ToArray(), w.Beta]));
        if (affine < 1)
        {
            throw new ArgumentException($"a LayerNorm row of {w.Cols} elements needs {2 * plan.RowBlocks} accumulator rows for γ/β alone; design '{d.Name}' has {d.AccDepth} (accumulator.kib or array.cols must grow)");
        }

        var gb = image.Tensors.Single(t => t.Name == "GB");
        var program = new List<PendingInstruction>(PostConfig.LayerNorm(w.Constants, affine))
        {
            PendingInstruction.Load(LoadTarget.Accumulator, gb.Rows, d.Cols, affine, gb.Address, gb.StrideBytes),
        };
        program.AddRange(RowChunks(d, plan, w.Rows, w.Cols, x, (r0, n, xBase) =>
            PendingInstruction.Normalize(NormalizeFunc.LayerNorm, n, w.Cols, xBase, y.Address + (r0 * y.StrideBytes), y.StrideBytes)));
        var c0 = w.Constants;
        return Finish(d, image, w.Spec, w.Rows, w.Cols, program, new KernelReference("layernorm", "Y", w.FloatReference(), c0.OutputScale),
            ResidualMeta(w.HasResidual, w.Seed, (c0.InputScale, w.ResidualScale, c0.OutputScale), c0.Residual, ("ln_out", c0.Output)));
    }

    /// <summary>
    /// Compiles a standalone residual add (<c>normalize func=add</c>): X and R as separate int32 tensors, chunked like
    /// LayerNorm (a chunk's residual blocks in the other accumulator half, so each block is one cycle).
    /// </summary>
    /// <exception cref="ArgumentException">The design has no LayerNorm unit, or one row's blocks do not fit the accumulator.</exception>
    public static CompiledProgram Compile(DesignModel d, ResidualAddWorkload w)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(w);
        if (!d.UnitLayerNorm)
        {
            throw new ArgumentException($"design '{d.Name}' has no LayerNorm unit, which the residual add uses (units.layernorm: false)", nameof(d));
        }

        var (image, x, y) = Tensors(d, w.Rows, w.Cols, w.HasResidual ? [w.Input, w.Residual] : [w.Input]);
        var program = new List<PendingInstruction>(PostConfig.ResidualAdd(w.Constants));
        if (!w.HasResidual)
        {
            program.Add(PostConfig.ResidualRow(null));
        }

        program.AddRange(RowChunks(d, MemoryPlan.For(d), w.Rows, w.Cols, x, (r0, n, xBase) =>
            PendingInstruction.Normalize(NormalizeFunc.Add, n, w.Cols, xBase, y.Address + (r0 * y.StrideBytes), y.StrideBytes)));
        var c0 = w.Constants;
        return Finish(d, image, w.Spec, w.Rows, w.Cols, program, new KernelReference("resadd", "Y", w.FloatReference(), c0.OutputScale),
            ResidualMeta(w.HasResidual, w.Seed, (c0.InputScale, w.ResidualScale, c0.OutputScale), c0.Residual, ("add_out", c0.Output)));
    }

    /// <summary>The DRAM tensors of a row operation: the int32 inputs X (and R), an optional extra region, the int8 output Y.</summary>
    private static (DramImage Image, TensorRegion[] Inputs, TensorRegion Y) Tensors(DesignModel d, int rows, int cols, IReadOnlyList<int[]> inputs,
        Action<DramImage>? extra = null)
    {
        var image = new DramImage(d);
        var regions = inputs.Select((values, k) => image.Int32(k == 0 ? "X" : "R", rows, cols, values)).ToArray();
        extra?.Invoke(image);
        return (image, regions, image.Int8("Y", TensorRole.Output, rows, cols, null));
    }

    /// <summary>Places the tokens, encodes the program into the image and adds the meta every row operation carries.</summary>
    private static CompiledProgram Finish(DesignModel d, DramImage image, string spec, int rows, int cols, List<PendingInstruction> program,
        KernelReference reference, SortedDictionary<string, object> kernelMeta)
    {
        var scheduled = TokenScheduler.Schedule(d, program, MemoryPlan.For(d).Relay).Program.Select(p => p.Build()).ToList();
        var meta = new SortedDictionary<string, object>(kernelMeta, StringComparer.Ordinal)
        {
            ["rows"] = rows,
            ["cols"] = cols,
            ["kernel"] = reference.Kernel,
            ["rounding"] = "half_up",
            ["poison"] = DramImage.Poison.ToString(CultureInfo.InvariantCulture),
        };
        return image.Build(spec, scheduled, 0, meta, [reference]);
    }

    /// <summary>
    /// The meta of a row operation with an optional residual (LayerNorm, add): scales, residual alignment and the output
    /// requantization as <c>{prefix}_mult</c> and <c>{prefix}_shift</c>.
    /// </summary>
    private static SortedDictionary<string, object> ResidualMeta(bool hasResidual, ulong seed, (double X, double R, double Y) scale, Requantization? residual,
        (string Prefix, Requantization Value) output) =>
        new(StringComparer.Ordinal)
        {
            ["residual"] = hasResidual ? 1 : 0,
            ["seed"] = seed,
            ["scale_x"] = scale.X,
            ["scale_r"] = scale.R,
            ["scale_y"] = scale.Y,
            ["ln_res_mult"] = residual?.Multiplier ?? 0,
            ["ln_res_shift"] = residual?.Shift ?? 0,
            [output.Prefix + "_mult"] = output.Value.Multiplier,
            [output.Prefix + "_shift"] = output.Value.Shift,
        };

    /// <summary>
    /// Chunks of whole logical rows for a row-wise unit. Each row has one or two parts (x; x and its residual), the int32
    /// <paramref name="parts"/>. Chunk i holds up to n rows, each part block-major (block b of row r at the part's base +
    /// b·n + r), loaded by one <c>load target=acc</c> per block, and is written by the row instruction
    /// <paramref name="rowOp"/> returns (first row, rows, x's base); with a residual a ln_residual pointing at the chunk's
    /// residual base goes before it. The γ/β rows <paramref name="plan"/> reserves stay untouched. Layouts, the
    /// first that fits:
    /// <list type="bullet">
    /// <item>Two parts, split: x of chunk i in accumulator half i mod 2, its residual in the other half, so the two rows
    /// of a block lie in different banks and the store unit reads them in one cycle; double-buffered.</item>
    /// <item>Two halves: all parts of chunk i in half i mod 2; double-buffered.</item>
    /// <item>One buffer: the token scheduler makes chunk i+1's loads wait for chunk i's row instruction.</item>
    /// </list>
    /// </summary>
    private static IEnumerable<PendingInstruction> RowChunks(DesignModel d, MemoryPlan plan, int rows, int cols, TensorRegion[] parts,
        Func<int, int, long, PendingInstruction> rowOp)
    {
        var blocks = (cols + d.Cols - 1) / d.Cols;
        var p = parts.Length;
        var usable = plan.GammaBetaRow;
        var reserved = plan.Relay - usable;
        var half = plan.AccBufferRows;
        var splitSpace = (half - 1 - reserved) / 2;
        int chunkRows;
        Func<int, int, long[]> bases;
        if (p == 2 && d.AccBanks > 1 && splitSpace / blocks >= 1)
        {
            chunkRows = Math.Min(rows, splitSpace / blocks);
            bases = (i, n) => [(i % 2) * (long)half, ((i + 1) % 2 * (long)half) + splitSpace];
        }
        else if (usable / 2 / (p * blocks) >= 1)
        {
            var space = usable / 2;
            chunkRows = Math.Min(rows, space / (p * blocks));
            bases = (i, n) => Enumerable.Range(0, p).Select(k => ((i % 2) * (long)space) + ((long)k * blocks * n)).ToArray();
        }
        else if (usable / (p * blocks) >= 1)
        {
            chunkRows = Math.Min(rows, usable / (p * blocks));
            bases = (i, n) => Enumerable.Range(0, p).Select(k => (long)k * blocks * n).ToArray();
        }
        else
        {
            throw new ArgumentException($"a row of {cols} elements spans {blocks} accumulator rows{(p > 1 ? " (and its residual as many)" : "")}; design '{d.Name}' has {Math.Max(usable, 0)} free{(reserved > 0 ? $" after {reserved} for γ/β" : "")} (accumulator.kib or array.cols must grow)");
        }

        for (var r0 = 0; r0 < rows; r0 += chunkRows)
        {
            var n = Math.Min(chunkRows, rows - r0);
            var buf = bases(r0 / chunkRows, chunkRows);
            for (var k = 0; k < p; k++)
            {
                for (var b = 0; b < blocks; b++)
                {
                    var c0 = b * d.Cols;
                    yield return PendingInstruction.Load(LoadTarget.Accumulator, n, Math.Min(d.Cols, cols - c0), buf[k] + (b * n),
                        parts[k].Address + (r0 * parts[k].StrideBytes) + (4L * c0), parts[k].StrideBytes);
                }
            }

            if (p == 2)
            {
                yield return PostConfig.ResidualRow(buf[1]);
            }

            yield return rowOp(r0, n, buf[0]);
        }
    }

    /// <summary>Rows per chunk: both accumulator halves (less the relay row) hold one chunk's blocks.</summary>
    internal static int ChunkRows(DesignModel d, int rows, int blocks) =>
        Math.Max(1, Math.Min(rows, MemoryPlan.For(d).Relay / 2 / blocks));

    /// <summary>GELU is elementwise: a chunk is a column group of up to half the accumulator's blocks × up to ChunkRows rows.</summary>
    private static IEnumerable<PendingInstruction> GeluChunks(DesignModel d, int rows, int cols, TensorRegion x, TensorRegion y)
    {
        var half = MemoryPlan.For(d).Relay / 2;
        var allBlocks = (cols + d.Cols - 1) / d.Cols;
        var groupBlocks = Math.Min(allBlocks, half);
        var groups = (allBlocks + groupBlocks - 1) / groupBlocks;
        var chunkRows = ChunkRows(d, rows, groupBlocks);
        var rowChunks = (rows + chunkRows - 1) / chunkRows;
        for (var i = 0; i < groups * rowChunks; i++)
        {
            var g = i / rowChunks;
            var r0 = i % rowChunks * chunkRows;
            var n = Math.Min(chunkRows, rows - r0);
            var buf = (i % 2) * half;
            var stores = new List<PendingInstruction>();
            for (var bi = 0; bi < groupBlocks && (g * groupBlocks) + bi < allBlocks; bi++)
            {
                var c0 = ((g * groupBlocks) + bi) * d.Cols;
                var nc = Math.Min(d.Cols, cols - c0);
                yield return PendingInstruction.Load(LoadTarget.Accumulator, n, nc, buf + (bi * chunkRows), x.Address + (r0 * x.StrideBytes) + (4L * c0), x.StrideBytes);
                stores.Add(PendingInstruction.Store(StoreFunc.Gelu, n, nc, buf + (bi * chunkRows), y.Address + (r0 * y.StrideBytes) + c0, y.StrideBytes));
            }

            foreach (var s in stores)
            {
                yield return s;
            }
        }
    }
}
