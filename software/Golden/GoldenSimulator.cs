using System.Buffers.Binary;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Software.Golden;

/// <summary>
/// The golden ISA simulator: runs a program one instruction at a time in program order (the
/// sequential semantics of docs/architecture.md), with the dispatch checks of <see cref="IsaSpec"/>.
/// </summary>
/// <remarks>
/// Dispatch checks run in this order and the first failing one gives the fault: illegal opcode;
/// <c>bad_field</c> (per opcode: target/mode/dataflow, rows, cols, k, shift, multiplier);
/// <c>sp_range</c>; <c>acc_range</c>. Then the DRAM range of a load or store is checked as a
/// whole: any byte at or beyond the image size gives <c>dma_read_error</c>/<c>dma_write_error</c>
/// and the instruction has no effect (in the RTL the bytes of a faulting store before the first
/// error may or may not be written; compare DRAM only for fault-free runs).
/// Local memories start as zeros; the store unit starts with <see cref="Requantization.Reset"/>.
/// With <see cref="Injected"/> (an AXI SLVERR range, as the harness's <c>--slverr</c>), a read fault
/// is predicted when the bus beats of a row or instruction touch the range (reads move whole
/// beats: the row's bytes widened to AXI data-width boundaries); a write fault when the row's
/// bytes touch it (writes are strobed).
/// </remarks>
public sealed class GoldenSimulator
{
    private readonly DesignModel d;
    private readonly sbyte[] sp;
    private readonly int[] acc;
    private byte[] dram = [];
    private Requantization requant = Requantization.Reset;
    private readonly long[] post = new long[IsaSpec.PostRegisters.Max(r => r.Index) + 1];
    private readonly short[] gammaCache;
    private readonly int[] betaCache;
    private int cachedBlocks;
    private long macs;
    private long readBytes;
    private long writeBytes;

    /// <summary>Creates a simulator for a design.</summary>
    public GoldenSimulator(DesignModel design)
    {
        ArgumentNullException.ThrowIfNull(design);
        d = design;
        sp = new sbyte[(long)d.SpDepth * d.SpRowBytes];
        acc = new int[(long)d.AccDepth * d.Cols];
        gammaCache = new short[IsaSpec.MaxNormalizeWidth + d.Cols];
        betaCache = new int[gammaCache.Length];
    }

    /// <summary>An AXI slave-error range the memory answers with SLVERR; null for none.</summary>
    public InjectedError? Injected { get; init; }

    /// <summary>Runs a program on a fresh simulator. The DRAM image is copied, not modified.</summary>
    public static GoldenResult Run(DesignModel design, byte[] dram, long programAddress, int programLength) =>
        new GoldenSimulator(design).Execute(dram, programAddress, programLength);

    /// <summary>Runs a compiled program.</summary>
    public static GoldenResult Run(DesignModel design, Programs.CompiledProgram program, InjectedError? injected = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        return new GoldenSimulator(design) { Injected = injected }.Execute(program.Dram, program.ProgramAddress, program.Length);
    }

    /// <summary>Scratchpad element (row, element) after the run, for tests and debugging.</summary>
    public sbyte Scratchpad(int row, int element) => sp[((long)row * d.SpRowBytes) + element];

    /// <summary>Accumulator element (row, element) after the run.</summary>
    public int Accumulator(int row, int element) => acc[((long)row * d.Cols) + element];

    /// <summary>Runs the program: fetches <paramref name="programLength"/> instructions from the image at <paramref name="programAddress"/>.</summary>
    public GoldenResult Execute(byte[] image, long programAddress, int programLength)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(programLength);
        dram = (byte[])image.Clone();
        var counts = new SortedDictionary<Opcode, int>();
        for (var pc = 0; pc < programLength; pc++)
        {
            var at = programAddress + ((long)pc * IsaSpec.InstructionBytes);
            if (at < 0 || at + IsaSpec.InstructionBytes > dram.Length)
            {
                return Finish(FaultCode.FetchError, pc, $"instruction fetch at 0x{at:X} is outside the {dram.Length}-byte DRAM", counts);
            }

            if (Injected is { Reads: true } e && e.Overlaps(AlignDown(at), AlignUp(at + IsaSpec.InstructionBytes)))
            {
                return Finish(FaultCode.FetchError, pc, $"instruction fetch at 0x{at:X} touches the SLVERR range 0x{e.Start:X}..0x{e.End:X}", counts);
            }

            var insn = Instruction.Decode(dram.AsSpan(checked((int)at), IsaSpec.InstructionBytes));
            if (insn is null)
            {
                return Finish(FaultCode.IllegalOpcode, pc, $"opcode 0x{dram[at]:X2} is not defined", counts);
            }

            var (fault, detail) = Check(insn);
            if (fault == FaultCode.None)
            {
                (fault, detail) = Perform(insn);
            }

            if (fault != FaultCode.None)
            {
                return Finish(fault, pc, $"{insn.Format.Mnemonic}: {detail}", counts);
            }

            counts[insn.Opcode] = counts.GetValueOrDefault(insn.Opcode) + 1;
        }

        return Finish(FaultCode.None, -1, string.Empty, counts);
    }

    private GoldenResult Finish(FaultCode fault, int pc, string detail, SortedDictionary<Opcode, int> counts) =>
        new(dram, fault, pc, detail, counts.Values.Sum(), counts, macs, readBytes, writeBytes);

    /// <summary>The dispatch-time checks of one instruction (everything that can be checked without DRAM).</summary>
    public (FaultCode Fault, string Detail) Check(Instruction insn)
    {
        ArgumentNullException.ThrowIfNull(insn);
        return insn.Opcode switch
        {
            Opcode.Load => CheckLoad(insn),
            Opcode.Store => CheckStore(insn),
            Opcode.ConfigStore => CheckConfig(insn),
            Opcode.ConfigPost => CheckConfigPost(insn),
            Opcode.Normalize => CheckNormalize(insn),
            Opcode.Compute => CheckCompute(insn),
            _ => (FaultCode.IllegalOpcode, "opcode is not defined"),
        };
    }

    private static (FaultCode, string) Ok() => (FaultCode.None, string.Empty);

    private static (FaultCode, string) Bad(string why) => (FaultCode.BadField, why);

    private (FaultCode, string) SpRange(string what, long first, long count) =>
        first + count > d.SpDepth
            ? (FaultCode.SpRange, $"{what} rows {first}..{first + count - 1} exceed the scratchpad ({d.SpDepth} rows)")
            : Ok();

    private (FaultCode, string) AccRange(string what, long first, long count) =>
        first + count > d.AccDepth
            ? (FaultCode.AccRange, $"{what} rows {first}..{first + count - 1} exceed the accumulator ({d.AccDepth} rows)")
            : Ok();

    private (FaultCode, string) CheckLoad(Instruction i)
    {
        var target = i["target"];
        var rows = i.Get64("rows");
        var cols = i.Get64("cols");
        var local = i.Get64("local_addr");
        if (target > 2)
        {
            return Bad($"target {target} is not defined");
        }

        if (rows == 0)
        {
            return Bad("rows is 0");
        }

        var width = target == 2 ? d.Cols : d.SpRowBytes;
        if (cols == 0 || cols > width)
        {
            return Bad($"cols {cols} is not in 1..{width}");
        }

        return target switch
        {
            0 => SpRange("load", local, rows),
            1 when rows > d.SpRowBytes => Bad($"transposed load of {rows} rows exceeds the scratchpad row width {d.SpRowBytes}"),
            1 when !d.TransposedLoad => Bad($"target sp_t needs the transposing buffer, which design '{d.Name}' lacks (scratchpad.transposed_load)"),
            1 => SpRange("transposed load", local, cols),
            _ => AccRange("load", local, rows),
        };
    }

    private (FaultCode, string) CheckStore(Instruction i)
    {
        var rows = i.Get64("rows");
        var cols = i.Get64("cols");
        if (rows == 0)
        {
            return Bad("rows is 0");
        }

        if (cols == 0 || cols > d.Cols)
        {
            return Bad($"cols {cols} is not in 1..{d.Cols}");
        }

        var func = i["func"];
        if (func > 1)
        {
            return Bad($"func {func} is reserved");
        }

        if (func == 1 && !d.UnitGelu)
        {
            return Bad($"func gelu needs the GELU unit, which design '{d.Name}' lacks (units.gelu)");
        }

        return AccRange("store", i.Get64("local_addr"), rows);
    }

    private static (FaultCode, string) CheckConfig(Instruction i)
    {
        if (i.Get64("shift") > Requantizer.MaxShift)
        {
            return Bad($"shift {i.Get64("shift")} exceeds {Requantizer.MaxShift}");
        }

        if (i.Get64("multiplier") > Requantizer.MaxMultiplier)
        {
            return Bad($"multiplier {i.Get64("multiplier")} is not below 2^31");
        }

        return Ok();
    }

    private (FaultCode, string) CheckNormalize(Instruction i)
    {
        var rows = i.Get64("rows");
        var width = i.Get64("width");
        if (rows == 0)
        {
            return Bad("rows is 0");
        }

        if (width == 0 || width > IsaSpec.MaxNormalizeWidth)
        {
            return Bad($"width {width} is not in 1..{IsaSpec.MaxNormalizeWidth}");
        }

        var func = i["func"];
        if (func > 2)
        {
            return Bad($"normalize func {func} is reserved");
        }

        if (func == 0 && !d.UnitSoftmax)
        {
            return Bad($"func softmax needs the Softmax unit, which design '{d.Name}' lacks (units.softmax)");
        }

        if (func is 1 or 2)
        {
            return CheckLayerNorm(i, rows, width, affine: func == 1);
        }

        return AccRange("normalize", i.Get64("local_addr"), NormalizeBlocks(width) * rows);
    }

    /// <summary>
    /// LayerNorm's and add's extra checks: the unit, no causal mask, and the input, residual (ln_residual) and, for
    /// LayerNorm, γ/β (ln_affine) spans inside the accumulator. The registers are read as earlier config_post
    /// instructions left them.
    /// </summary>
    private (FaultCode, string) CheckLayerNorm(Instruction i, long rows, long width, bool affine)
    {
        var name = affine ? "layernorm" : "add";
        if (!d.UnitLayerNorm)
        {
            return Bad($"func {name} needs the LayerNorm unit, which design '{d.Name}' lacks (units.layernorm)");
        }

        if (i["causal"] != 0)
        {
            return Bad("causal is only defined for func softmax");
        }

        var span = NormalizeBlocks(width) * rows;
        var x = AccRange("normalize", i.Get64("local_addr"), span);
        if (x.Item1 != FaultCode.None)
        {
            return x;
        }

        var residual = Reg("ln_residual");
        if (residual != 0)
        {
            var r = AccRange("residual", residual - 1, span);
            if (r.Item1 != FaultCode.None)
            {
                return r;
            }
        }

        return affine ? AccRange("LayerNorm gamma/beta", Reg("ln_affine"), 2 * NormalizeBlocks(width)) : Ok();
    }

    /// <summary>Accumulator rows one logical row of a normalize spans: ceil(width / COLS).</summary>
    private long NormalizeBlocks(long width) => (width + d.Cols - 1) / d.Cols;

    private static (FaultCode, string) CheckConfigPost(Instruction i)
    {
        var index = i.Get64("reg");
        var value = i["value"];
        foreach (var (name, at, max, _) in IsaSpec.PostRegisters)
        {
            if (at == index)
            {
                return value > (ulong)max ? Bad($"{name} = {value} exceeds its maximum {max}") : Ok();
            }
        }

        return Bad($"config_post register {index} is not defined");
    }

    private (FaultCode, string) CheckCompute(Instruction i)
    {
        var ws = i["dataflow"] == 0;
        var mode = i["mode"];
        var rows = i.Get64("rows");
        var k = i.Get64("k");
        if (!d.Supports(ws ? Dataflow.Ws : Dataflow.Os))
        {
            return Bad($"dataflow {(ws ? "ws" : "os")} is not supported by design '{d.Name}'");
        }

        if (mode > 2)
        {
            return Bad($"mode {mode} is not defined");
        }

        if (rows == 0)
        {
            return Bad("rows is 0");
        }

        if (k == 0)
        {
            return Bad("k is 0");
        }

        if (ws && k > d.Rows)
        {
            return Bad($"weight-stationary k {k} exceeds the array rows {d.Rows}");
        }

        if (!ws && rows > d.Rows)
        {
            return Bad($"output-stationary rows {rows} exceeds the array rows {d.Rows}");
        }

        var a = SpRange("A operand", i.Get64("a_addr"), ws ? rows : k);
        if (a.Item1 != FaultCode.None)
        {
            return a;
        }

        var b = SpRange("B operand", i.Get64("b_addr"), k);
        if (b.Item1 != FaultCode.None)
        {
            return b;
        }

        var c = AccRange("C output", i.Get64("c_addr"), rows);
        if (c.Item1 != FaultCode.None)
        {
            return c;
        }

        return mode == 2 ? AccRange("bias", i.Get64("bias_addr"), 1) : Ok();
    }

    private (FaultCode, string) Perform(Instruction i)
    {
        switch (i.Opcode)
        {
            case Opcode.Load:
                return DoLoad(i);
            case Opcode.Store:
                return DoStore(i);
            case Opcode.Normalize:
                return DoNormalize(i);
            case Opcode.ConfigStore:
                requant = new Requantization(i.Get64("multiplier"), i.Get32("shift"), i["relu"] == 1);
                return Ok();
            case Opcode.ConfigPost:
                post[i.Get32("reg")] = i.Get64("value");
                if (i.Get32("reg") == PostIndex("ln_affine"))
                {
                    cachedBlocks = 0;
                }

                return Ok();
            default:
                DoCompute(i);
                return Ok();
        }
    }

    private long BeatBytes => d.AxiDataBits / 8;

    private long AlignDown(long a) => a / BeatBytes * BeatBytes;

    private long AlignUp(long a) => (a + BeatBytes - 1) / BeatBytes * BeatBytes;

    /// <summary>Null when every row lies in DRAM and clear of an injected error; else why not.</summary>
    private string? DramSpan(long addr, long stride, long rows, long rowBytes, bool write)
    {
        for (long r = 0; r < rows; r++)
        {
            var start = addr + (r * stride);
            if (start < 0 || start + rowBytes > dram.Length)
            {
                return $"DRAM row {r} at 0x{start:X} (rows at 0x{addr:X} stride {stride}) reaches beyond the {dram.Length}-byte memory (DECERR)";
            }

            if (Injected is { } e && (write ? e.Writes && e.Overlaps(start, start + rowBytes)
                                            : e.Reads && e.Overlaps(AlignDown(start), AlignUp(start + rowBytes))))
            {
                return $"DRAM row {r} at 0x{start:X} touches the SLVERR range 0x{e.Start:X}..0x{e.End:X}";
            }
        }

        return null;
    }

    private (FaultCode, string) DoLoad(Instruction i)
    {
        var target = i["target"];
        var rows = i.Get32("rows");
        var cols = i.Get32("cols");
        var local = i.Get32("local_addr");
        var addr = i.Get64("dram_addr");
        var stride = i.Get64("dram_stride");
        var elem = target == 2 ? 4 : 1;
        if (DramSpan(addr, stride, rows, (long)cols * elem, write: false) is { } readFault)
        {
            return (FaultCode.DmaReadError, readFault);
        }

        readBytes += (long)rows * cols * elem;
        switch (target)
        {
            case 0:
                for (var r = 0; r < rows; r++)
                {
                    var row = sp.AsSpan((local + r) * d.SpRowBytes, d.SpRowBytes);
                    row.Clear();
                    var src = addr + (r * stride);
                    for (var e = 0; e < cols; e++)
                    {
                        row[e] = (sbyte)dram[src + e];
                    }
                }

                break;
            case 1:
                for (var c = 0; c < cols; c++)
                {
                    var row = sp.AsSpan((local + c) * d.SpRowBytes, d.SpRowBytes);
                    row.Clear();
                    for (var r = 0; r < rows; r++)
                    {
                        row[r] = (sbyte)dram[addr + (r * stride) + c];
                    }
                }

                break;
            default:
                for (var r = 0; r < rows; r++)
                {
                    var row = acc.AsSpan((local + r) * d.Cols, d.Cols);
                    row.Clear();
                    var src = addr + (r * stride);
                    for (var e = 0; e < cols; e++)
                    {
                        row[e] = BinaryPrimitives.ReadInt32LittleEndian(dram.AsSpan((int)(src + (4 * e)), 4));
                    }
                }

                break;
        }

        return Ok();
    }

    private (FaultCode, string) DoStore(Instruction i)
    {
        var rows = i.Get32("rows");
        var cols = i.Get32("cols");
        var local = i.Get32("local_addr");
        var addr = i.Get64("dram_addr");
        var stride = i.Get64("dram_stride");
        if (DramSpan(addr, stride, rows, cols, write: true) is { } writeFault)
        {
            return (FaultCode.DmaWriteError, writeFault);
        }

        writeBytes += (long)rows * cols;
        var gelu = i["func"] == 1 ? GeluConstants() : null;
        for (var r = 0; r < rows; r++)
        {
            var row = acc.AsSpan((local + r) * d.Cols, d.Cols);
            var dst = addr + (r * stride);
            for (var e = 0; e < cols; e++)
            {
                dram[dst + e] = (byte)(gelu is null ? requant.Apply(row[e]) : IntGelu.Apply(row[e], gelu));
            }
        }

        return Ok();
    }

    private (FaultCode, string) DoNormalize(Instruction i)
    {
        var rows = i.Get32("rows");
        var width = i.Get32("width");
        var local = i.Get32("local_addr");
        var addr = i.Get64("dram_addr");
        var stride = i.Get64("dram_stride");
        var blocks = (int)NormalizeBlocks(width);
        if (DramSpan(addr, stride, rows, width, write: true) is { } writeFault)
        {
            return (FaultCode.DmaWriteError, writeFault);
        }

        writeBytes += (long)rows * width;
        if (i["func"] == 1)
        {
            DoLayerNorm(rows, width, local, addr, stride, blocks);
            return Ok();
        }

        if (i["func"] == 2)
        {
            DoResidualAdd(rows, width, local, addr, stride, blocks);
            return Ok();
        }

        var c = new IntSoftmaxConstants(0, new Requantization(Reg("softmax_mult"), (int)Reg("softmax_shift"), false));
        var row = new int[width];
        var output = new sbyte[width];
        for (var r = 0; r < rows; r++)
        {
            for (var b = 0; b < blocks; b++)
            {
                var src = acc.AsSpan((local + (b * rows) + r) * d.Cols, d.Cols);
                var n = Math.Min(d.Cols, width - (b * d.Cols));
                src[..n].CopyTo(row.AsSpan(b * d.Cols, n));
            }

            var valid = i["causal"] == 1 ? IntSoftmax.CausalValid(width, r, i.Get32("mask_offset")) : width;
            IntSoftmax.ApplyBlocked(row, output, c, valid, d.Cols);
            var dst = addr + (r * stride);
            for (var e = 0; e < width; e++)
            {
                dram[dst + e] = (byte)output[e];
            }
        }

        return Ok();
    }

    /// <summary>
    /// LayerNorm of block-major rows with the ln_* registers (the scales are not used by the integer kernel). γ/β come
    /// from the unit's cache: when it covers fewer than the row's blocks (it is emptied by every config_post ln_affine),
    /// γ/β of all the row's blocks are first read from ln_affine + 2b and + 2b + 1.
    /// </summary>
    private void DoLayerNorm(int rows, int width, int local, long addr, long stride, int blocks)
    {
        var residualReg = Reg("ln_residual");
        var c = new IntLayerNormConstants(
            width,
            1.0,
            residualReg == 0 ? null : new Requantization(Reg("ln_res_mult"), (int)Reg("ln_res_shift"), false),
            1.0,
            1.0,
            new Requantization(Reg("ln_out_mult"), (int)Reg("ln_out_shift"), false));
        if ((long)cachedBlocks * d.Cols < width)
        {
            var affine = (int)Reg("ln_affine");
            for (var b = 0; b < blocks; b++)
            {
                for (var j = 0; j < d.Cols; j++)
                {
                    gammaCache[(b * d.Cols) + j] = unchecked((short)acc[((affine + (2 * b)) * d.Cols) + j]);
                    betaCache[(b * d.Cols) + j] = acc[((affine + (2 * b) + 1) * d.Cols) + j];
                }
            }

            cachedBlocks = blocks;
        }

        var gamma = gammaCache.AsSpan(0, width);
        var beta = betaCache.AsSpan(0, width);
        var x = new int[width];
        var residual = residualReg == 0 ? [] : new int[width];
        var output = new sbyte[width];
        for (var r = 0; r < rows; r++)
        {
            ReadRow(x, residual, residualReg, local, rows, r, width, blocks);
            IntLayerNorm.Apply(x, residual, gamma, beta, output, c);
            WriteRow(output, addr + (r * stride));
        }
    }

    /// <summary>The residual add (normalize func add) of block-major rows with ln_res_*, ln_residual and add_out_*.</summary>
    private void DoResidualAdd(int rows, int width, int local, long addr, long stride, int blocks)
    {
        var residualReg = Reg("ln_residual");
        var c = new IntResidualAddConstants(
            1.0,
            residualReg == 0 ? null : new Requantization(Reg("ln_res_mult"), (int)Reg("ln_res_shift"), false),
            1.0,
            new Requantization(Reg("add_out_mult"), (int)Reg("add_out_shift"), false));
        var x = new int[width];
        var residual = residualReg == 0 ? [] : new int[width];
        var output = new sbyte[width];
        for (var r = 0; r < rows; r++)
        {
            ReadRow(x, residual, residualReg, local, rows, r, width, blocks);
            IntResidualAdd.Apply(x, residual, output, c);
            WriteRow(output, addr + (r * stride));
        }
    }

    /// <summary>Logical row r of a normalize (block b at local + b·rows + r) and, when residualReg is not 0, its residual.</summary>
    private void ReadRow(int[] x, int[] residual, long residualReg, int local, int rows, int r, int width, int blocks)
    {
        for (var b = 0; b < blocks; b++)
        {
            var n = Math.Min(d.Cols, width - (b * d.Cols));
            acc.AsSpan((local + (b * rows) + r) * d.Cols, n).CopyTo(x.AsSpan(b * d.Cols, n));
            if (residualReg != 0)
            {
                acc.AsSpan(((int)residualReg - 1 + (b * rows) + r) * d.Cols, n).CopyTo(residual.AsSpan(b * d.Cols, n));
            }
        }
    }

    private void WriteRow(sbyte[] output, long dst)
    {
        for (var e = 0; e < output.Length; e++)
        {
            dram[dst + e] = (byte)output[e];
        }
    }

    private static int PostIndex(string name) => IsaSpec.PostRegisters.First(r => r.Name == name).Index;

    private long Reg(string name) => post[IsaSpec.PostRegisters.First(r => r.Name == name).Index];

    /// <summary>The I-GELU constants as the config_post registers hold them (the scales are not used by the integer kernel).</summary>
    private IntGeluConstants GeluConstants()
    {
        return new IntGeluConstants(0, 0, Reg("gelu_clip"), Reg("gelu_offset"), (int)Reg("gelu_erf_shift"), Reg("gelu_one"),
            new Requantization(Reg("gelu_out_mult"), (int)Reg("gelu_out_shift"), false));
    }

    private void DoCompute(Instruction i)
    {
        var ws = i["dataflow"] == 0;
        var mode = i["mode"];
        var rows = i.Get32("rows");
        var k = i.Get32("k");
        var aAddr = i.Get32("a_addr");
        var bAddr = i.Get32("b_addr");
        var cAddr = i.Get32("c_addr");
        var cols = d.Cols;
        var srb = d.SpRowBytes;

        // The bias row is read once, before any output row is written.
        var bias = mode == 2 ? acc.AsSpan(i.Get32("bias_addr") * cols, cols).ToArray() : null;
        var sum = new int[cols];
        for (var r = 0; r < rows; r++)
        {
            var c = acc.AsSpan((cAddr + r) * cols, cols);
            if (mode == 0)
            {
                Array.Clear(sum);
            }
            else
            {
                (mode == 1 ? c : bias.AsSpan()).CopyTo(sum);
            }

            for (var t = 0; t < k; t++)
            {
                // WS: A(r,t) = SP[a+r][t]; OS: A(r,t) = SP[a+t][r].
                var a = ws ? sp[((aAddr + r) * srb) + t] : sp[((aAddr + t) * srb) + r];
                if (a == 0)
                {
                    continue;
                }

                var b = sp.AsSpan((bAddr + t) * srb, cols);
                for (var j = 0; j < cols; j++)
                {
                    sum[j] = IntegerMac.Mac(sum[j], a, b[j]);
                }
            }

            sum.CopyTo(c);
        }

        macs += (long)rows * k * cols;
    }
}
