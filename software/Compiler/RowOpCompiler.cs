using System.Buffers.Binary;
using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
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
    /// <summary>Compiles a workload specification of kind gelu.</summary>
    public static CompiledProgram Compile(DesignModel d, WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind switch
        {
            "gelu" => Compile(d, GeluWorkload.FromSpec(spec)),
            "softmax" => Compile(d, SoftmaxWorkload.FromSpec(spec)),
            "layernorm" => Compile(d, LayerNormWorkload.FromSpec(spec)),
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
        if (d.UnitGelu == 0)
        {
            throw new ArgumentException($"design '{d.Name}' has no GELU unit (units.gelu: false)", nameof(d));
        }

        var strideAlign = Math.Max(16, d.AxiDataBits / 8);
        var strideX = Align(4L * w.Cols, strideAlign);
        var strideY = Align(w.Cols, strideAlign);
        const long AddrX = 0;
        var addrY = Align(AddrX + (w.Rows * strideX), GemmCompiler.RegionAlign);
        var addrP = Align(addrY + (w.Rows * strideY), GemmCompiler.RegionAlign);

        var program = new List<Instruction>(GeluConfig(w.Constants));
        program.AddRange(Chunks(d, w.Rows, w.Cols, AddrX, strideX, addrY, strideY));

        var dram = Image(d, w.Spec, w.Rows, w.Cols, w.Input, AddrX, strideX, addrY, strideY, addrP, program);

        var c0 = w.Constants;
        var meta = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["rows"] = w.Rows,
            ["cols"] = w.Cols,
            ["seed"] = w.Seed,
            ["kernel"] = "gelu",
            ["scale_x"] = w.InputScale,
            ["scale_y"] = c0.OutputScale,
            ["gelu_clip"] = c0.ClipMagnitude,
            ["gelu_offset"] = c0.Offset,
            ["gelu_erf_shift"] = c0.ErfShift,
            ["gelu_one"] = c0.One,
            ["gelu_out_mult"] = c0.Output.Multiplier,
            ["gelu_out_shift"] = c0.Output.Shift,
            ["rounding"] = "half_up",
            ["poison"] = GemmCompiler.Poison.ToString(CultureInfo.InvariantCulture),
        };

        return new CompiledProgram
        {
            Workload = w.Spec,
            Instructions = program,
            Dram = dram,
            ProgramAddress = addrP,
            Tensors =
            [
                new("X", TensorRole.Input, AddrX, w.Rows, w.Cols, strideX, ElementType.Int32),
                new("Y", TensorRole.Output, addrY, w.Rows, w.Cols, strideY, ElementType.Int8),
            ],
            Macs = 0,
            Meta = meta,
            References = [new KernelReference("gelu", "Y", w.FloatReference(), c0.OutputScale)],
        };
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
        if (d.UnitSoftmax == 0)
        {
            throw new ArgumentException($"design '{d.Name}' has no Softmax unit (units.softmax: false)", nameof(d));
        }

        var strideAlign = Math.Max(16, d.AxiDataBits / 8);
        var strideX = Align(4L * w.Cols, strideAlign);
        var strideY = Align(w.Cols, strideAlign);
        const long AddrX = 0;
        var addrY = Align(AddrX + (w.Rows * strideX), GemmCompiler.RegionAlign);
        var addrP = Align(addrY + (w.Rows * strideY), GemmCompiler.RegionAlign);

        var program = new List<Instruction>(SoftmaxConfig(w.Constants));
        program.AddRange(RowChunks(d, w.Rows, w.Cols, AddrX, strideX, addrY, strideY, (r0, n, buf, dst) => new(StringComparer.Ordinal)
        {
            ["func"] = 0, ["causal"] = w.Causal ? 1 : 0, ["mask_offset"] = w.Causal ? r0 : 0, ["rows"] = n, ["width"] = w.Cols,
            ["local_addr"] = buf, ["dram_addr"] = dst, ["dram_stride"] = strideY,
        }));

        var dram = Image(d, w.Spec, w.Rows, w.Cols, w.Input, AddrX, strideX, addrY, strideY, addrP, program);
        var meta = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["rows"] = w.Rows,
            ["cols"] = w.Cols,
            ["causal"] = w.Causal ? 1 : 0,
            ["seed"] = w.Seed,
            ["kernel"] = "softmax",
            ["scale_x"] = w.Constants.InputScale,
            ["scale_y"] = IntSoftmaxConstants.OutputScale,
            ["softmax_mult"] = w.Constants.Input.Multiplier,
            ["softmax_shift"] = w.Constants.Input.Shift,
            ["rounding"] = "half_up",
            ["poison"] = GemmCompiler.Poison.ToString(CultureInfo.InvariantCulture),
        };

        return new CompiledProgram
        {
            Workload = w.Spec,
            Instructions = program,
            Dram = dram,
            ProgramAddress = addrP,
            Tensors =
            [
                new("X", TensorRole.Input, AddrX, w.Rows, w.Cols, strideX, ElementType.Int32),
                new("Y", TensorRole.Output, addrY, w.Rows, w.Cols, strideY, ElementType.Int8),
            ],
            Macs = 0,
            Meta = meta,
            References = [new KernelReference("softmax", "Y", w.FloatReference(), IntSoftmaxConstants.OutputScale)],
        };
    }

    private static byte[] Image(DesignModel d, string spec, int rows, int cols, int[] input, long addrX, long strideX, long addrY, long strideY, long addrP, List<Instruction> program)
    {
        var size = Align(addrP + ((long)program.Count * IsaSpec.InstructionBytes), 4096);
        if (size > int.MaxValue || size > (1L << d.AxiAddrBits))
        {
            throw new ArgumentException($"the DRAM image of {spec} needs {size} bytes, more than the address space");
        }

        var dram = new byte[size];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan((int)(addrX + (r * strideX) + (4L * c)), 4), input[((long)r * cols) + c]);
            }

            dram.AsSpan((int)(addrY + (r * strideY)), (int)strideY).Fill(GemmCompiler.Poison);
        }

        for (var pc = 0; pc < program.Count; pc++)
        {
            program[pc].Encode().CopyTo(dram, addrP + ((long)pc * IsaSpec.InstructionBytes));
        }

        return dram;
    }

    /// <summary>
    /// Chunks of whole logical rows for a row-wise unit: chunk i holds up to ChunkRows rows, all ceil(cols/COLS) blocks,
    /// block-major (block b of row r at buffer + b·n + r), loaded by one <c>load target=acc</c> per block and written
    /// by one row instruction from <paramref name="rowOp"/> (first row, rows, buffer, DRAM address). With two buffers
    /// (the blocks of a row fit half the accumulator) tokens relay as for GELU; otherwise one buffer is used and a
    /// second one-row compute per chunk relays ST→EX→LD so that load i+1 waits for row instruction i.
    /// </summary>
    private static IEnumerable<Instruction> RowChunks(DesignModel d, int rows, int cols, long addrX, long strideX, long addrY, long strideY,
        Func<int, int, int, long, Dictionary<string, long>> rowOp, int reserved = 0)
    {
        var blocks = (cols + d.Cols - 1) / d.Cols;
        var usable = d.AccDepth - 1 - reserved;
        if (blocks > usable)
        {
            throw new ArgumentException($"a row of {cols} elements spans {blocks} accumulator rows; design '{d.Name}' has {Math.Max(usable, 0)} free (accumulator.kib or array.cols must grow)");
        }

        var two = blocks <= usable / 2;
        var space = two ? usable / 2 : usable;
        var chunkRows = Math.Max(1, Math.Min(rows, space / blocks));
        var chunks = (rows + chunkRows - 1) / chunkRows;
        for (var i = 0; i < chunks; i++)
        {
            var r0 = i * chunkRows;
            var n = Math.Min(chunkRows, rows - r0);
            var buf = two ? (i % 2) * space : 0;
            var loads = new List<Dictionary<string, long>>();
            for (var b = 0; b < blocks; b++)
            {
                var c0 = b * d.Cols;
                loads.Add(new(StringComparer.Ordinal)
                {
                    ["target"] = 2, ["rows"] = n, ["cols"] = Math.Min(d.Cols, cols - c0), ["local_addr"] = buf + (b * n),
                    ["dram_addr"] = addrX + (r0 * strideX) + (4L * c0), ["dram_stride"] = strideX,
                });
            }

            var op = rowOp(r0, n, buf, addrY + (r0 * strideY));
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
            yield return Create(Opcode.Normalize, op);
            if (!two && i + 1 < chunks)
            {
                var waitForStore = RelayCompute(d);
                waitForStore["pop_next"] = 1;
                waitForStore["push_prev"] = 1;
                yield return Create(Opcode.Compute, waitForStore);
            }
        }
    }

    /// <summary>The config_post instructions that load the LayerNorm constants and the γ/β rows (not the residual row).</summary>
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
    /// Compiles a standalone LayerNorm. γ/β occupy 2·ceil(Cols/COLS) accumulator rows just below the relay row
    /// (γ block b at affine + 2b, β at affine + 2b + 1), loaded once. Each chunk's rows are loaded as one row of
    /// x blocks followed by residual blocks (DRAM row = x padded to whole blocks, then r), so the residual of block b
    /// of row r sits at buffer + (B + b)·n + r; a config_post ln_residual before each normalize points at it.
    /// </summary>
    /// <exception cref="ArgumentException">The design has no LayerNorm unit, or one row's blocks do not fit the accumulator.</exception>
    public static CompiledProgram Compile(DesignModel d, LayerNormWorkload w)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(w);
        if (d.UnitLayerNorm == 0)
        {
            throw new ArgumentException($"design '{d.Name}' has no LayerNorm unit (units.layernorm: false)", nameof(d));
        }

        var blocks = (w.Cols + d.Cols - 1) / d.Cols;
        var parts = w.HasResidual ? 2 : 1;
        var widthX = parts * blocks * d.Cols;
        var affine = d.AccDepth - 1 - (2L * blocks);
        if (affine < 1 + (parts * blocks))
        {
            throw new ArgumentException($"a LayerNorm row of {w.Cols} elements needs {(2 * blocks) + (parts * blocks) + 1} accumulator rows (x{(w.HasResidual ? ", residual" : "")}, γ/β, relay); design '{d.Name}' has {d.AccDepth} (accumulator.kib or array.cols must grow)");
        }

        var input = new int[(long)w.Rows * widthX];
        for (var r = 0; r < w.Rows; r++)
        {
            w.Input.AsSpan(r * w.Cols, w.Cols).CopyTo(input.AsSpan(r * widthX));
            if (w.HasResidual)
            {
                w.Residual.AsSpan(r * w.Cols, w.Cols).CopyTo(input.AsSpan((r * widthX) + (blocks * d.Cols)));
            }
        }

        var strideAlign = Math.Max(16, d.AxiDataBits / 8);
        var strideX = Align(4L * widthX, strideAlign);
        var strideY = Align(w.Cols, strideAlign);
        var strideG = Align(4L * d.Cols, strideAlign);
        const long AddrX = 0;
        var addrG = Align(AddrX + (w.Rows * strideX), GemmCompiler.RegionAlign);
        var addrY = Align(addrG + (2L * blocks * strideG), GemmCompiler.RegionAlign);
        var addrP = Align(addrY + (w.Rows * strideY), GemmCompiler.RegionAlign);

        var program = new List<Instruction>(LayerNormConfig(w.Constants, affine))
        {
            Create(Opcode.Load, new(StringComparer.Ordinal)
            {
                ["target"] = 2, ["rows"] = 2 * blocks, ["cols"] = d.Cols, ["local_addr"] = affine, ["dram_addr"] = addrG, ["dram_stride"] = strideG,
            }),
        };
        foreach (var insn in RowChunks(d, w.Rows, widthX, AddrX, strideX, addrY, strideY, (r0, n, buf, dst) => new(StringComparer.Ordinal)
        {
            ["func"] = 1, ["rows"] = n, ["width"] = w.Cols, ["local_addr"] = buf, ["dram_addr"] = dst, ["dram_stride"] = strideY,
        }, reserved: 2 * blocks))
        {
            if (insn.Opcode == Opcode.Normalize && w.HasResidual)
            {
                program.Add(Post("ln_residual", 1 + insn.Get64("local_addr") + (blocks * insn.Get64("rows"))));
            }

            program.Add(insn);
        }

        var dram = Image(d, w.Spec, w.Rows, widthX, input, AddrX, strideX, addrY, strideY, addrP, program);
        for (var b = 0; b < blocks; b++)
        {
            for (var j = 0; j < d.Cols && (b * d.Cols) + j < w.Cols; j++)
            {
                var c = (b * d.Cols) + j;
                BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan((int)(addrG + (2 * b * strideG) + (4L * j)), 4), w.Gamma[c]);
                BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan((int)(addrG + (((2 * b) + 1) * strideG) + (4L * j)), 4), w.Beta[c]);
            }
        }

        var c0 = w.Constants;
        var meta = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["rows"] = w.Rows,
            ["cols"] = w.Cols,
            ["residual"] = w.HasResidual ? 1 : 0,
            ["seed"] = w.Seed,
            ["kernel"] = "layernorm",
            ["scale_x"] = c0.InputScale,
            ["scale_y"] = c0.OutputScale,
            ["ln_res_mult"] = c0.Residual?.Multiplier ?? 0,
            ["ln_res_shift"] = c0.Residual?.Shift ?? 0,
            ["ln_out_mult"] = c0.Output.Multiplier,
            ["ln_out_shift"] = c0.Output.Shift,
            ["rounding"] = "half_up",
            ["poison"] = GemmCompiler.Poison.ToString(CultureInfo.InvariantCulture),
        };

        return new CompiledProgram
        {
            Workload = w.Spec,
            Instructions = program,
            Dram = dram,
            ProgramAddress = addrP,
            Tensors =
            [
                new("X", TensorRole.Input, AddrX, w.Rows, widthX, strideX, ElementType.Int32),
                new("GB", TensorRole.Input, addrG, 2 * blocks, d.Cols, strideG, ElementType.Int32),
                new("Y", TensorRole.Output, addrY, w.Rows, w.Cols, strideY, ElementType.Int8),
            ],
            Macs = 0,
            Meta = meta,
            References = [new KernelReference("layernorm", "Y", w.FloatReference(), c0.OutputScale)],
        };
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
        ["dataflow"] = d.SupportWs == 1 ? 0 : 1, ["mode"] = 0, ["rows"] = 1, ["k"] = 1, ["a_addr"] = 0, ["b_addr"] = 0, ["c_addr"] = d.AccDepth - 1,
    };

    private static Instruction Create(Opcode op, Dictionary<string, long> fields) =>
        Instruction.Create(op, fields.ToDictionary(f => f.Key, f => checked((ulong)f.Value), StringComparer.Ordinal));

    private static long Align(long value, long alignment) => (value + alignment - 1) / alignment * alignment;
}
