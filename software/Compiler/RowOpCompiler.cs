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
/// (<c>normalize</c>). The chunk kernels are the phase builder's (<see cref="PhaseBuilder.RowChunks"/>,
/// <see cref="PhaseBuilder.GeluChunks"/>) in its <see cref="MemoryPlan"/>; <see cref="TokenScheduler"/> places the tokens
/// (and the relay computes between the load and store units, into the plan's relay row).
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

        // gelu_col: the per-column constants (two rows per block) sit where LayerNorm's γ/β would, loaded once.
        TensorRegion? cc = null;
        var (b, x, y) = Tensors(d, w.PerColumn ? (w.Cols + d.Cols - 1) / d.Cols : 0, "gelu", w.Rows, w.Cols, [w.Input],
            pb => cc = w.PerColumn ? pb.Blocks("GC", [[.. w.Columns.Select(c => c.Encode().InWord)], [.. w.Columns.Select(c => c.Encode().OutWord)]]) : null);
        if (cc is not null && b.Plan.BiasRow(1) < 2)
        {
            throw new ArgumentException($"per-column GELU constants of {w.Cols} columns take {cc.Rows} accumulator rows; design '{d.Name}' has {d.AccDepth}, too few to leave two row buffers (accumulator.kib or array.cols must grow)");
        }

        b.Preamble(PostConfig.Gelu(w.Constants));
        if (cc is not null)
        {
            b.Preamble([PendingInstruction.Load(LoadTarget.Accumulator, cc.Rows, d.Cols, b.Plan.GammaBetaRow, cc.Address, cc.StrideBytes)]);
        }

        b.GeluChunks(w.Rows, w.Cols, x[0], y, cc is null ? null : b.Plan.GammaBetaRow);
        var c0 = w.Constants;
        return Finish(b, w.Spec, w.Rows, w.Cols, new KernelReference("gelu", "Y", w.FloatReference(), c0.OutputScale),
            new(StringComparer.Ordinal)
            {
                ["seed"] = w.Seed,
                ["percol"] = w.PerColumn ? 1 : 0,
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

        var (b, x, y) = Tensors(d, 0, "softmax", w.Rows, w.Cols, [w.Input]);
        b.Preamble(PostConfig.Softmax(w.Constants));
        b.RowChunks(w.Rows, w.Cols, x, (r0, n, xBase) =>
            PendingInstruction.Normalize(NormalizeFunc.Softmax, n, w.Cols, xBase, y.Address + (r0 * y.StrideBytes), y.StrideBytes, w.Causal, w.Causal ? r0 : 0));
        return Finish(b, w.Spec, w.Rows, w.Cols,
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

        TensorRegion? gb = null;
        var (b, x, y) = Tensors(d, (w.Cols + d.Cols - 1) / d.Cols, "layernorm", w.Rows, w.Cols, w.HasResidual ? [w.Input, w.Residual] : [w.Input],
            pb => gb = pb.Blocks("GB", w.AffineVectors()), w.InputShift == 0 ? 2 : 3);
        var affine = b.Plan.GammaBetaRow;
        if (affine < 1)
        {
            throw new ArgumentException($"a LayerNorm row of {w.Cols} elements needs {b.Plan.AffineRows * b.Plan.RowBlocks} accumulator rows for γ/β alone; design '{d.Name}' has {d.AccDepth} (accumulator.kib or array.cols must grow)");
        }

        b.Preamble(PostConfig.LayerNorm(w.Constants, affine));
        if (w.InputShift != 0)
        {
            b.Preamble([PostConfig.LayerNormInputShift(w.InputShift)]);
        }

        b.Preamble([PendingInstruction.Load(LoadTarget.Accumulator, gb!.Rows, d.Cols, affine, gb.Address, gb.StrideBytes)]);
        b.RowChunks(w.Rows, w.Cols, x, (r0, n, xBase) =>
            PendingInstruction.Normalize(NormalizeFunc.LayerNorm, n, w.Cols, xBase, y.Address + (r0 * y.StrideBytes), y.StrideBytes));
        var c0 = w.Constants;
        return Finish(b, w.Spec, w.Rows, w.Cols, new KernelReference("layernorm", "Y", w.FloatReference(), c0.OutputScale),
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

        var (b, x, y) = Tensors(d, 0, "resadd", w.Rows, w.Cols, w.HasResidual ? [w.Input, w.Residual] : [w.Input]);
        b.Preamble(PostConfig.ResidualAdd(w.Constants));
        if (!w.HasResidual)
        {
            b.Preamble([PostConfig.ResidualRow(null)]);
        }

        b.RowChunks(w.Rows, w.Cols, x, (r0, n, xBase) =>
            PendingInstruction.Normalize(NormalizeFunc.Add, n, w.Cols, xBase, y.Address + (r0 * y.StrideBytes), y.StrideBytes));
        var c0 = w.Constants;
        return Finish(b, w.Spec, w.Rows, w.Cols, new KernelReference("resadd", "Y", w.FloatReference(), c0.OutputScale),
            ResidualMeta(w.HasResidual, w.Seed, (c0.InputScale, w.ResidualScale, c0.OutputScale), c0.Residual, ("add_out", c0.Output)));
    }

    /// <summary>
    /// The phase builder of a row operation (its memory plan reserving γ/β for <paramref name="rowBlocks"/> blocks, its one
    /// operation <paramref name="kernel"/>) and its DRAM tensors: the int32 inputs X (and R), an optional extra region,
    /// the int8 output Y.
    /// </summary>
    private static (PhaseBuilder Builder, TensorRegion[] Inputs, TensorRegion Y) Tensors(DesignModel d, int rowBlocks, string kernel, int rows, int cols,
        IReadOnlyList<int[]> inputs, Action<PhaseBuilder>? extra = null, int affineRows = 2)
    {
        var b = new PhaseBuilder(d, rowBlocks, affineRows);
        b.Op(kernel, 0);
        var regions = inputs.Select((values, k) => b.Int32(k == 0 ? "X" : "R", rows, cols, values)).ToArray();
        extra?.Invoke(b);
        return (b, regions, b.Tensor("Y", TensorRole.Output, rows, cols, null));
    }

    /// <summary>Orders the phases, places the tokens and adds the meta every row operation carries.</summary>
    private static CompiledProgram Finish(PhaseBuilder b, string spec, int rows, int cols, KernelReference reference, SortedDictionary<string, object> kernelMeta)
    {
        var meta = new SortedDictionary<string, object>(kernelMeta, StringComparer.Ordinal)
        {
            ["rows"] = rows,
            ["cols"] = cols,
            ["kernel"] = reference.Kernel,
            ["rounding"] = "half_up",
            ["poison"] = DramImage.Poison.ToString(CultureInfo.InvariantCulture),
        };
        return b.Build(spec, 0, meta, [reference]);
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
}
