using System.Buffers.Binary;
using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Software.Compiler;

/// <summary>
/// Compiles row operations whose int32 input is loaded into the accumulator (<c>load target=acc</c>) and written
/// through a store-path unit to int8: the standalone GELU and the row-wise Softmax (<c>normalize</c>).
/// </summary>
/// <remarks>
/// <para>DRAM layout: X (Rows×Cols int32) at 0, Y (Rows×Cols int8, pre-filled with <see cref="GemmCompiler.Poison"/>),
/// then the program; 64-byte aligned regions, row strides padded to max(16, AXI bytes).</para>
/// <para>Schedule: chunks of up to <c>ChunkRows</c> logical rows; chunk i holds its ceil(Cols/COLS) blocks block-major
/// (block b of row r at accumulator row buffer + b·ChunkRows + r) in accumulator half i mod 2. The store unit has no
/// token with the load unit, so a one-row <c>compute</c> into the last accumulator row relays each chunk's tokens:
/// compute i pops LD→EX (load i) and, for i ≥ 1, ST→EX (store i−1, so half (i+1) mod 2 is free), pushes EX→ST (store
/// i) and, when chunk i+1 ≥ 2 exists, EX→LD (load i+1). Every pop is matched by a push earlier in program order.</para>
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

    /// <summary>The config_post instructions that load the I-GELU constants.</summary>
    public static IEnumerable<Instruction> GeluConfig(IntGeluConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        yield return Post("gelu_clip", c.ClipMagnitude);
        yield return Post("gelu_offset", c.Offset);
        yield return Post("gelu_erf_shift", c.ErfShift);
        yield return Post("gelu_one", c.One);
        yield return Post("gelu_out_mult", c.Output.Multiplier);
        yield return Post("gelu_out_shift", c.Output.Shift);
    }

    private static Instruction Post(string name, long value) => Instruction.Create(Opcode.ConfigPost,
        ("reg", IsaSpec.PostRegisters.First(r => r.Name == name).Index), ("value", value));

    /// <summary>Compiles a standalone GELU.</summary>
    public static CompiledProgram Compile(DesignModel d, GeluWorkload w)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(w);
        if (!d.UnitGelu)
        {
            throw new ArgumentException($"design '{d.Name}' has no GELU unit (units.gelu: false)", nameof(d));
        }

        var l = Layout(d, w.Rows, w.Cols, inputs: 1);
        var program = new List<Instruction>(GeluConfig(w.Constants));
        program.AddRange(Chunks(d, w.Rows, w.Cols, l.Inputs[0], l.StrideX, l.AddrY, l.StrideY));

        var c0 = w.Constants;
        return RowProgram(d, l, w.Spec, w.Rows, w.Cols, [w.Input], program, new KernelReference("gelu", "Y", w.FloatReference(), c0.OutputScale),
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

    /// <summary>The config_post instructions that load the Softmax input conversion.</summary>
    public static IEnumerable<Instruction> SoftmaxConfig(IntSoftmaxConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        yield return Post("softmax_mult", c.Input.Multiplier);
        yield return Post("softmax_shift", c.Input.Shift);
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

        var l = Layout(d, w.Rows, w.Cols, inputs: 1);
        var program = new List<Instruction>(SoftmaxConfig(w.Constants));
        program.AddRange(RowChunks(d, w.Rows, w.Cols, l, 0, (r0, n, xBase, dst) => Create(Opcode.Normalize, new(StringComparer.Ordinal)
        {
            ["func"] = 0, ["causal"] = w.Causal ? 1 : 0, ["mask_offset"] = w.Causal ? r0 : 0, ["rows"] = n, ["width"] = w.Cols,
            ["local_addr"] = xBase, ["dram_addr"] = dst, ["dram_stride"] = l.StrideY,
        })));

        return RowProgram(d, l, w.Spec, w.Rows, w.Cols, [w.Input], program,
            new KernelReference("softmax", "Y", w.FloatReference(), IntSoftmaxConstants.OutputScale),
            new(StringComparer.Ordinal)
            {
                ["causal"] = w.Causal ? 1 : 0,
                ["seed"] = w.Seed,
                ["scale_x"] = w.Constants.InputScale,
                ["scale_y"] = IntSoftmaxConstants.OutputScale,
                ["softmax_mult"] = w.Constants.Input.Multiplier,
                ["softmax_shift"] = w.Constants.Input.Shift,
            });
    }

    /// <summary>
    /// Where a row operation's tensors lie in DRAM, 64-byte aligned regions in this order: the int32 inputs (x, then
    /// its residual) at row stride <see cref="StrideX"/>, an optional extra region (LayerNorm's γ/β), the int8 output Y
    /// at row stride <see cref="StrideY"/>, and the program.
    /// </summary>
    private sealed record RowLayout(long StrideX, long StrideY, long[] Inputs, long AddrExtra, long AddrY, long AddrP);

    /// <summary>The <see cref="RowLayout"/> of rows×cols with the given number of int32 inputs and extra bytes.</summary>
    private static RowLayout Layout(DesignModel d, int rows, int cols, int inputs, long extraBytes = 0)
    {
        var strideX = RowStride(d, 4L * cols);
        var strideY = RowStride(d, cols);
        var addrs = new long[inputs];
        var next = 0L;
        for (var k = 0; k < inputs; k++)
        {
            addrs[k] = next;
            next = Align(next + (rows * strideX), GemmCompiler.RegionAlign);
        }

        var addrY = Align(next + extraBytes, GemmCompiler.RegionAlign);
        return new RowLayout(strideX, strideY, addrs, next, addrY, Align(addrY + (rows * strideY), GemmCompiler.RegionAlign));
    }

    /// <summary>A DRAM row stride for rows of the given bytes: padded to max(16, AXI bytes).</summary>
    private static long RowStride(DesignModel d, long bytes) => Align(bytes, Math.Max(16, d.AxiDataBits / 8));

    /// <summary>
    /// A row operation's program: the DRAM image (each int32 input, rows×cols row-major, at its <see cref="RowLayout"/>
    /// address; the optional extra region's bytes; Y filled with <see cref="GemmCompiler.Poison"/>; the program), the
    /// tensors X, R (a second input), the extra region and Y, and the meta every row operation carries next to
    /// <paramref name="kernelMeta"/>.
    /// </summary>
    private static CompiledProgram RowProgram(DesignModel d, RowLayout l, string spec, int rows, int cols, IReadOnlyList<int[]> inputs,
        List<Instruction> program, KernelReference reference, SortedDictionary<string, object> kernelMeta,
        (TensorRegion Region, byte[] Bytes)? extra = null)
    {
        var size = Align(l.AddrP + ((long)program.Count * IsaSpec.InstructionBytes), 4096);
        if (size > int.MaxValue || size > (1L << d.AxiAddrBits))
        {
            throw new ArgumentException($"the DRAM image of {spec} needs {size} bytes, more than the address space");
        }

        var dram = new byte[size];
        for (var r = 0; r < rows; r++)
        {
            for (var k = 0; k < inputs.Count; k++)
            {
                for (var c = 0; c < cols; c++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan((int)(l.Inputs[k] + (r * l.StrideX) + (4L * c)), 4), inputs[k][((long)r * cols) + c]);
                }
            }

            dram.AsSpan((int)(l.AddrY + (r * l.StrideY)), (int)l.StrideY).Fill(GemmCompiler.Poison);
        }

        extra?.Bytes.CopyTo(dram, extra.Value.Region.Address);
        for (var pc = 0; pc < program.Count; pc++)
        {
            program[pc].Encode().CopyTo(dram, l.AddrP + ((long)pc * IsaSpec.InstructionBytes));
        }

        List<TensorRegion> tensors = [.. inputs.Select((_, k) => new TensorRegion(k == 0 ? "X" : "R", TensorRole.Input, l.Inputs[k], rows, cols, l.StrideX, ElementType.Int32))];
        if (extra is { } e)
        {
            tensors.Add(e.Region);
        }

        tensors.Add(new("Y", TensorRole.Output, l.AddrY, rows, cols, l.StrideY, ElementType.Int8));
        var meta = new SortedDictionary<string, object>(kernelMeta, StringComparer.Ordinal)
        {
            ["rows"] = rows,
            ["cols"] = cols,
            ["kernel"] = reference.Kernel,
            ["rounding"] = "half_up",
            ["poison"] = GemmCompiler.Poison.ToString(CultureInfo.InvariantCulture),
        };
        return new CompiledProgram
        {
            Workload = spec,
            Instructions = program,
            Dram = dram,
            ProgramAddress = l.AddrP,
            Tensors = tensors,
            Macs = 0,
            Meta = meta,
            References = [reference],
        };
    }

    /// <summary>The meta of a row operation with an optional residual (LayerNorm, add): scales and residual alignment.</summary>
    private static SortedDictionary<string, object> ResidualMeta(bool hasResidual, ulong seed, double scaleX, double scaleR, double scaleY, Requantization? residual) =>
        new(StringComparer.Ordinal)
        {
            ["residual"] = hasResidual ? 1 : 0,
            ["seed"] = seed,
            ["scale_x"] = scaleX,
            ["scale_r"] = scaleR,
            ["scale_y"] = scaleY,
            ["ln_res_mult"] = residual?.Multiplier ?? 0,
            ["ln_res_shift"] = residual?.Shift ?? 0,
        };

    /// <summary>
    /// Chunks of whole logical rows for a row-wise unit. Each row has one or two parts (x; x and its residual), the int32
    /// inputs of <paramref name="layout"/>. Chunk i holds up to n rows, each part block-major (block b of row r at the part's
    /// base + b·n + r), loaded by one <c>load target=acc</c> per block, and is written by the row instruction
    /// <paramref name="rowOp"/> returns (first row, rows, x's base, DRAM address of Y), which takes the tokens; with a
    /// residual a <see cref="ResidualRow"/> pointing at the chunk's residual base goes before it.
    /// <paramref name="reserved"/> rows below the relay row stay untouched. Layouts, the first that fits:
    /// <list type="bullet">
    /// <item>Two parts, split: x of chunk i in accumulator half i mod 2, its residual in the other half, so the two
    /// rows of a block lie in different banks and the store unit reads them in one cycle; double-buffered.</item>
    /// <item>Two halves: all parts of chunk i in half i mod 2; double-buffered.</item>
    /// <item>One buffer, with a second one-row compute per chunk that relays ST→EX→LD so load i+1 waits for chunk i.</item>
    /// </list>
    /// With two buffers tokens relay as for GELU.
    /// </summary>
    private static IEnumerable<Instruction> RowChunks(DesignModel d, int rows, int cols, RowLayout layout, int reserved, Func<int, int, long, long, Instruction> rowOp)
    {
        var (parts, strideX, addrY, strideY) = (layout.Inputs, layout.StrideX, layout.AddrY, layout.StrideY);
        var blocks = (cols + d.Cols - 1) / d.Cols;
        var p = parts.Length;
        var usable = d.AccDepth - 1 - reserved;
        var half = d.AccDepth / 2;
        var splitSpace = (half - 1 - reserved) / 2;
        int chunkRows;
        Func<int, int, long[]> bases;
        var two = true;
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
            two = false;
            chunkRows = Math.Min(rows, usable / (p * blocks));
            bases = (i, n) => Enumerable.Range(0, p).Select(k => (long)k * blocks * n).ToArray();
        }
        else
        {
            throw new ArgumentException($"a row of {cols} elements spans {blocks} accumulator rows{(p > 1 ? " (and its residual as many)" : "")}; design '{d.Name}' has {Math.Max(usable, 0)} free{(reserved > 0 ? $" after {reserved} for γ/β" : "")} (accumulator.kib or array.cols must grow)");
        }

        var chunks = (rows + chunkRows - 1) / chunkRows;
        for (var i = 0; i < chunks; i++)
        {
            var r0 = i * chunkRows;
            var n = Math.Min(chunkRows, rows - r0);
            var buf = bases(i, chunkRows);
            var loads = new List<Dictionary<string, long>>();
            for (var k = 0; k < p; k++)
            {
                for (var b = 0; b < blocks; b++)
                {
                    var c0 = b * d.Cols;
                    loads.Add(new(StringComparer.Ordinal)
                    {
                        ["target"] = 2, ["rows"] = n, ["cols"] = Math.Min(d.Cols, cols - c0), ["local_addr"] = buf[k] + (b * n),
                        ["dram_addr"] = parts[k] + (r0 * strideX) + (4L * c0), ["dram_stride"] = strideX,
                    });
                }
            }

            var row = rowOp(r0, n, buf[0], addrY + (r0 * strideY));
            List<Instruction> ops = p == 2 ? [ResidualRow(buf[1]), row] : [row];
            var op = ops[^1].Format.Fields.Where(f => f.Name != "opcode").ToDictionary(f => f.Name, f => (long)ops[^1].Get64(f.Name), StringComparer.Ordinal);
            op["pop_prev"] = 1;
            var relayCompute = RelayCompute(d);
            relayCompute["pop_prev"] = 1;
            relayCompute["push_next"] = 1;
            loads[^1]["push_next"] = 1;
            if (two)
            {
                if (i >= 2)
                {
                    loads[0]["pop_next"] = 1;
                }

                if (i >= 1)
                {
                    relayCompute["pop_next"] = 1;
                }

                if (i + 1 >= 2 && i + 1 < chunks)
                {
                    relayCompute["push_prev"] = 1;
                }

                if (i + 1 < chunks)
                {
                    op["push_prev"] = 1;
                }
            }
            else
            {
                if (i >= 1)
                {
                    loads[0]["pop_next"] = 1;
                }

                if (i + 1 < chunks)
                {
                    op["push_prev"] = 1;
                }
            }

            foreach (var l in loads)
            {
                yield return Create(Opcode.Load, l);
            }

            yield return Create(Opcode.Compute, relayCompute);
            foreach (var pre in ops.Take(ops.Count - 1))
            {
                yield return pre;
            }

            yield return Create(ops[^1].Opcode, op);
            if (!two && i + 1 < chunks)
            {
                var waitForStore = RelayCompute(d);
                waitForStore["pop_next"] = 1;
                waitForStore["push_prev"] = 1;
                yield return Create(Opcode.Compute, waitForStore);
            }
        }
    }

    /// <summary>
    /// The config_post instructions that load the LayerNorm constants and γ/β's accumulator row (which also empties the
    /// unit's γ/β cache, so the next LayerNorm reads them), and clear ln_residual (set it per normalize with
    /// <see cref="ResidualRow"/>).
    /// </summary>
    public static IEnumerable<Instruction> LayerNormConfig(IntLayerNormConstants c, long affineRow)
    {
        ArgumentNullException.ThrowIfNull(c);
        yield return Post("ln_res_mult", c.Residual?.Multiplier ?? 0);
        yield return Post("ln_res_shift", c.Residual?.Shift ?? 0);
        yield return Post("ln_out_mult", c.Output.Multiplier);
        yield return Post("ln_out_shift", c.Output.Shift);
        yield return Post("ln_affine", affineRow);
        yield return Post("ln_residual", 0);
    }

    /// <summary>
    /// The config_post instructions of a residual add (<c>normalize func=add</c>): the residual alignment (ln_res_mult,
    /// ln_res_shift, shared with LayerNorm) and the output requantization (add_out_mult, add_out_shift). ln_residual is
    /// set per normalize with <see cref="ResidualRow"/>.
    /// </summary>
    public static IEnumerable<Instruction> ResidualAddConfig(IntResidualAddConstants c)
    {
        ArgumentNullException.ThrowIfNull(c);
        yield return Post("ln_res_mult", c.Residual?.Multiplier ?? 0);
        yield return Post("ln_res_shift", c.Residual?.Shift ?? 0);
        yield return Post("add_out_mult", c.Output.Multiplier);
        yield return Post("add_out_shift", c.Output.Shift);
    }

    /// <summary>
    /// <c>config_post ln_residual</c>: the accumulator row of block 0 of residual row 0 (the residual is block-major like
    /// the input: block b of row r at residualRow + b·rows + r), or null for no residual. Used by LayerNorm and add.
    /// </summary>
    public static Instruction ResidualRow(long? residualRow) => Post("ln_residual", residualRow is { } r ? 1 + r : 0);

    /// <summary>
    /// <c>normalize func=add</c>: rows logical rows of width elements (block b of row r at localAddr + b·rows + r) plus
    /// the aligned residual, requantized to int8 at dramAddr + r·dramStride. No token flags are set.
    /// </summary>
    public static Instruction ResidualAdd(int rows, int width, long localAddr, long dramAddr, long dramStride) =>
        Create(Opcode.Normalize, new(StringComparer.Ordinal)
        {
            ["func"] = 2, ["rows"] = rows, ["width"] = width, ["local_addr"] = localAddr, ["dram_addr"] = dramAddr, ["dram_stride"] = dramStride,
        });

    /// <summary>
    /// A residual-add epilogue, in order: <see cref="ResidualAddConfig"/>, <see cref="ResidualRow"/> and
    /// <see cref="ResidualAdd"/> (the last one is the instruction to put token flags on). The residual is read in the
    /// same cycle as x when <see cref="PairedReads"/> holds for the two row ranges; otherwise a block takes two cycles.
    /// </summary>
    public static IEnumerable<Instruction> ResidualAddEpilogue(IntResidualAddConstants c, int rows, int width, long localAddr, long? residualRow,
        long dramAddr, long dramStride) =>
        [.. ResidualAddConfig(c), ResidualRow(residualRow), ResidualAdd(rows, width, localAddr, dramAddr, dramStride)];

    /// <summary>
    /// True when every accumulator row of x (first row xRow) and of the residual (residualRow) of a normalize spanning
    /// span rows lie in different banks (each range inside one bank), so the store unit reads a block's x and residual
    /// in one cycle (LayerNorm, add).
    /// </summary>
    public static bool PairedReads(DesignModel d, long xRow, long residualRow, long span)
    {
        ArgumentNullException.ThrowIfNull(d);
        var bankRows = d.AccDepth / d.AccBanks;
        long Bank(long row) => row / bankRows;
        return span >= 1 && d.AccBanks > 1 && Bank(xRow) == Bank(xRow + span - 1) && Bank(residualRow) == Bank(residualRow + span - 1)
               && Bank(xRow) != Bank(residualRow);
    }

    /// <summary>
    /// Compiles a standalone LayerNorm. γ/β occupy 2·ceil(Cols/COLS) accumulator rows just below the relay row
    /// (γ block b at affine + 2b, β at affine + 2b + 1), loaded once; the first normalize copies them into the unit's
    /// cache. X and the residual R are separate int32 tensors; a chunk's residual blocks go to the accumulator half
    /// that does not hold its x blocks (see RowChunks), and a config_post ln_residual before each normalize points at them.
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

        var blocks = (w.Cols + d.Cols - 1) / d.Cols;
        var affine = d.AccDepth - 1 - (2L * blocks);
        var strideG = RowStride(d, 4L * d.Cols);
        var l = Layout(d, w.Rows, w.Cols, w.HasResidual ? 2 : 1, 2L * blocks * strideG);
        if (affine < 1)
        {
            throw new ArgumentException($"a LayerNorm row of {w.Cols} elements needs {2 * blocks} accumulator rows for γ/β alone; design '{d.Name}' has {d.AccDepth} (accumulator.kib or array.cols must grow)");
        }

        var program = new List<Instruction>(LayerNormConfig(w.Constants, affine))
        {
            Create(Opcode.Load, new(StringComparer.Ordinal)
            {
                ["target"] = 2, ["rows"] = 2 * blocks, ["cols"] = d.Cols, ["local_addr"] = affine, ["dram_addr"] = l.AddrExtra, ["dram_stride"] = strideG,
            }),
        };
        program.AddRange(RowChunks(d, w.Rows, w.Cols, l, 2 * blocks, (r0, n, xBase, dst) => Create(Opcode.Normalize, new(StringComparer.Ordinal)
        {
            ["func"] = 1, ["rows"] = n, ["width"] = w.Cols, ["local_addr"] = xBase, ["dram_addr"] = dst, ["dram_stride"] = l.StrideY,
        })));

        // γ block b in row 2b, β block b in row 2b + 1 of the GB region.
        var gb = new byte[2L * blocks * strideG];
        for (var b = 0; b < blocks; b++)
        {
            for (var j = 0; j < d.Cols && (b * d.Cols) + j < w.Cols; j++)
            {
                var c = (b * d.Cols) + j;
                BinaryPrimitives.WriteInt32LittleEndian(gb.AsSpan((int)((2 * b * strideG) + (4L * j)), 4), w.Gamma[c]);
                BinaryPrimitives.WriteInt32LittleEndian(gb.AsSpan((int)((((2 * b) + 1) * strideG) + (4L * j)), 4), w.Beta[c]);
            }
        }

        var c0 = w.Constants;
        var meta = ResidualMeta(w.HasResidual, w.Seed, c0.InputScale, w.ResidualScale, c0.OutputScale, c0.Residual);
        meta["ln_out_mult"] = c0.Output.Multiplier;
        meta["ln_out_shift"] = c0.Output.Shift;
        return RowProgram(d, l, w.Spec, w.Rows, w.Cols, w.HasResidual ? [w.Input, w.Residual] : [w.Input], program,
            new KernelReference("layernorm", "Y", w.FloatReference(), c0.OutputScale), meta,
            (new TensorRegion("GB", TensorRole.Input, l.AddrExtra, 2 * blocks, d.Cols, strideG, ElementType.Int32), gb));
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

        var l = Layout(d, w.Rows, w.Cols, w.HasResidual ? 2 : 1);
        var program = new List<Instruction>(ResidualAddConfig(w.Constants));
        if (!w.HasResidual)
        {
            program.Add(ResidualRow(null));
        }

        program.AddRange(RowChunks(d, w.Rows, w.Cols, l, 0, (r0, n, xBase, dst) => ResidualAdd(n, w.Cols, xBase, dst, l.StrideY)));

        var c0 = w.Constants;
        var meta = ResidualMeta(w.HasResidual, w.Seed, c0.InputScale, w.ResidualScale, c0.OutputScale, c0.Residual);
        meta["add_out_mult"] = c0.Output.Multiplier;
        meta["add_out_shift"] = c0.Output.Shift;
        return RowProgram(d, l, w.Spec, w.Rows, w.Cols, w.HasResidual ? [w.Input, w.Residual] : [w.Input], program,
            new KernelReference("resadd", "Y", w.FloatReference(), c0.OutputScale), meta);
    }

    /// <summary>Rows per chunk: both accumulator halves (less the relay row) hold one chunk's blocks.</summary>
    internal static int ChunkRows(DesignModel d, int rows, int blocks) =>
        Math.Max(1, Math.Min(rows, (d.AccDepth - 1) / 2 / blocks));

    private static IEnumerable<Instruction> Chunks(DesignModel d, int rows, int cols, long addrX, long strideX, long addrY, long strideY)
    {
        // GELU is elementwise: a chunk is a column group of up to `half` blocks × up to ChunkRows rows.
        var half = (d.AccDepth - 1) / 2;
        var allBlocks = (cols + d.Cols - 1) / d.Cols;
        var groupBlocks = Math.Min(allBlocks, half);
        var groups = (allBlocks + groupBlocks - 1) / groupBlocks;
        var chunkRows = ChunkRows(d, rows, groupBlocks);
        var rowChunks = (rows + chunkRows - 1) / chunkRows;
        var chunks = groups * rowChunks;
        for (var i = 0; i < chunks; i++)
        {
            var g = i / rowChunks;
            var r0 = i % rowChunks * chunkRows;
            var n = Math.Min(chunkRows, rows - r0);
            var buf = (i % 2) * half;
            var loads = new List<Dictionary<string, long>>();
            var stores = new List<Dictionary<string, long>>();
            for (var bi = 0; bi < groupBlocks && (g * groupBlocks) + bi < allBlocks; bi++)
            {
                var b = bi;
                var c0 = ((g * groupBlocks) + bi) * d.Cols;
                var nc = Math.Min(d.Cols, cols - c0);
                loads.Add(new(StringComparer.Ordinal)
                {
                    ["target"] = 2, ["rows"] = n, ["cols"] = nc, ["local_addr"] = buf + (b * chunkRows),
                    ["dram_addr"] = addrX + (r0 * strideX) + (4L * c0), ["dram_stride"] = strideX,
                });
                stores.Add(new(StringComparer.Ordinal)
                {
                    ["func"] = 1, ["rows"] = n, ["cols"] = nc, ["local_addr"] = buf + (b * chunkRows),
                    ["dram_addr"] = addrY + (r0 * strideY) + c0, ["dram_stride"] = strideY,
                });
            }

            if (i >= 2)
            {
                loads[0]["pop_next"] = 1;
            }

            loads[^1]["push_next"] = 1;
            var relayCompute = RelayCompute(d);
            relayCompute["pop_prev"] = 1;
            relayCompute["push_next"] = 1;
            if (i >= 1)
            {
                relayCompute["pop_next"] = 1;
            }

            if (i + 1 >= 2 && i + 1 < chunks)
            {
                relayCompute["push_prev"] = 1;
            }

            stores[0]["pop_prev"] = 1;
            if (i + 1 < chunks)
            {
                stores[^1]["push_prev"] = 1;
            }

            foreach (var l in loads)
            {
                yield return Create(Opcode.Load, l);
            }

            yield return Create(Opcode.Compute, relayCompute);
            foreach (var s in stores)
            {
                yield return Create(Opcode.Store, s);
            }
        }
    }

    /// <summary>
    /// The one-row <c>compute</c> into the last accumulator row that relays tokens between the load and store
    /// units (they share none); the caller sets its token flags.
    /// </summary>
    private static Dictionary<string, long> RelayCompute(DesignModel d) => new(StringComparer.Ordinal)
    {
        ["dataflow"] = d.SupportWs ? 0 : 1, ["mode"] = 0, ["rows"] = 1, ["k"] = 1, ["a_addr"] = 0, ["b_addr"] = 0, ["c_addr"] = d.AccDepth - 1,
    };

    private static Instruction Create(Opcode op, Dictionary<string, long> fields) =>
        Instruction.Create(op, fields.ToDictionary(f => f.Key, f => checked((ulong)f.Value), StringComparer.Ordinal));

    private static long Align(long value, long alignment) => (value + alignment - 1) / alignment * alignment;
}
