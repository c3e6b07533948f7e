using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics;

namespace HwGen.Software.Golden;

/// <summary>
/// The golden ISA simulator: runs a program one instruction at a time in program order (the
/// sequential semantics of docs/architecture.md), with the dispatch checks of <see cref="IsaSpec"/>.
/// </summary>
/// <remarks>
/// At START, before any fetch, PROG_ADDR must be a multiple of 16 (<c>prog_align</c>) and the
/// program must end within the 32-bit address space (<c>prog_range</c>); both report PC 0. An
/// instruction beyond the image gives <c>fetch_error</c> at that instruction.
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
public sealed partial class GoldenSimulator
{
    /// <summary>Bytes of the 32-bit AXI address space; a program must end within it.</summary>
    private const long AddressSpaceBytes = 1L << 32;

    private readonly DesignModel d;
    private readonly sbyte[] sp;
    private readonly int[] acc;
    private byte[] dram = [];
    private Requantization requant = Requantization.Reset;

    /// <summary>The Softmax unit's row-scale memory (normalize softmax_late writes, store requant_row reads).</summary>
    private readonly long[] rowScales = new long[IsaSpec.RowScaleSlots];
    private readonly int[] rowMaxes = new int[IsaSpec.RowScaleSlots];
    private readonly long[] post = new long[IsaSpec.PostRegisters.Max(r => r.Index) + 1];
    private readonly short[] gammaCache;
    private readonly ushort[] scaleCache;
    private readonly int[] betaCache;
    private readonly int[] residualCache;
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
        scaleCache = new ushort[gammaCache.Length];
        residualCache = new int[gammaCache.Length];
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
        if (programAddress % IsaSpec.InstructionBytes != 0)
        {
            return Finish(FaultCode.ProgAlign, 0, $"PROG_ADDR 0x{programAddress:X} is not a multiple of {IsaSpec.InstructionBytes}", counts);
        }

        if (programAddress < 0 || programAddress + ((long)programLength * IsaSpec.InstructionBytes) > AddressSpaceBytes)
        {
            return Finish(FaultCode.ProgRange, 0, $"PROG_ADDR 0x{programAddress:X} + {IsaSpec.InstructionBytes} x PROG_LEN {programLength} runs past the 32-bit address space", counts);
        }

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
                (fault, detail) = Perform(new InstructionView(insn));
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

    private (FaultCode, string) Perform(InstructionView i)
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
                requant = new Requantization(i.Multiplier, (int)i.Shift, i.Relu);
                return Ok();
            case Opcode.ConfigPost:
                post[(int)i.RegIndex] = (long)i.Value;
                if (i.Reg is PostRegister.LnAffine or PostRegister.LnInShift)
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
}
