using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Verif;

/// <summary>
/// Puts a <see cref="FuzzFault"/> into a compiled program's run: an AXI SLVERR range for the memory model (loads, stores,
/// fetch), or one instruction word changed in the DRAM image (DECERR addresses, an undefined opcode, an out-of-range
/// field or local address, an extra token pop). The golden model reads the same image and the same range, so it predicts
/// the fault code and ERR_PC the RTL must report. Every choice comes from <c>pick</c>, so a case replays exactly.
/// </summary>
public static class FaultInjection
{
    /// <summary>Every fault kind a case can carry, in summary order.</summary>
    public static IReadOnlyList<FuzzFault> Kinds { get; } = Enum.GetValues<FuzzFault>();

    /// <summary>The kind's name in the summary and in progress lines (e.g. <c>load-slverr</c>).</summary>
    public static string Name(FuzzFault fault) => fault switch
    {
        FuzzFault.None => "none",
        FuzzFault.LoadSlverr => "load-slverr",
        FuzzFault.StoreSlverr => "store-slverr",
        FuzzFault.FetchSlverr => "fetch-slverr",
        FuzzFault.LoadDecerr => "load-decerr",
        FuzzFault.StoreDecerr => "store-decerr",
        FuzzFault.IllegalOpcode => "illegal-opcode",
        FuzzFault.BadField => "bad-field",
        FuzzFault.LocalRange => "local-range",
        FuzzFault.Hang => "hang",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "unknown fault kind"),
    };

    /// <summary>
    /// The fault codes the golden model may report for the kind: one of them whenever the fault is reached. An SLVERR on a
    /// tensor byte that no load (or store) touches raises nothing; every other kind always faults.
    /// </summary>
    public static IReadOnlyList<FaultCode> ExpectedCodes(FuzzFault fault) => fault switch
    {
        FuzzFault.LoadSlverr or FuzzFault.LoadDecerr => [FaultCode.DmaReadError],
        FuzzFault.StoreSlverr or FuzzFault.StoreDecerr => [FaultCode.DmaWriteError],
        FuzzFault.FetchSlverr => [FaultCode.FetchError],
        FuzzFault.IllegalOpcode => [FaultCode.IllegalOpcode],
        FuzzFault.BadField => [FaultCode.BadField],
        FuzzFault.LocalRange => [FaultCode.SpRange, FaultCode.AccRange],
        _ => [],
    };

    /// <summary>True when the kind faults whenever it is applied (not only when a DMA happens to touch the range).</summary>
    public static bool AlwaysFaults(FuzzFault fault) => fault is not (FuzzFault.None or FuzzFault.LoadSlverr or FuzzFault.StoreSlverr or FuzzFault.Hang);

    /// <summary>True when the kind changes the program image (its reproduction needs the changed image, not the workload).</summary>
    public static bool ChangesProgram(FuzzFault fault) => fault is not (FuzzFault.None or FuzzFault.LoadSlverr or FuzzFault.StoreSlverr or FuzzFault.FetchSlverr);

    /// <summary>
    /// Applies <paramref name="fault"/> to <paramref name="program"/> and <paramref name="options"/>; null when the program
    /// has no place for it (no load, no instruction whose local address can leave its memory, no balanced token channel).
    /// </summary>
    public static InjectedFault? Apply(FuzzFault fault, ulong pick, DesignModel design, CompiledProgram program, CosimOptions options)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(options);
        var rng = new SeededRandom(pick);
        return fault switch
        {
            FuzzFault.None => new InjectedFault(program, options, "no fault"),
            FuzzFault.LoadSlverr => TensorByte(rng, program, options, TensorRole.Input),
            FuzzFault.StoreSlverr => TensorByte(rng, program, options, TensorRole.Output),
            FuzzFault.FetchSlverr => Fetch(rng, program, options),
            FuzzFault.LoadDecerr => Decerr(rng, program, options, Opcode.Load),
            FuzzFault.StoreDecerr => Decerr(rng, program, options, Opcode.Store, Opcode.Normalize),
            FuzzFault.IllegalOpcode => Illegal(rng, program, options),
            FuzzFault.BadField => BadField(rng, program, options),
            FuzzFault.LocalRange => LocalRange(rng, design, program, options),
            FuzzFault.Hang => ExtraPop(rng, program, options),
            _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "unknown fault kind"),
        };
    }

    private static InjectedFault? TensorByte(SeededRandom rng, CompiledProgram program, CosimOptions options, TensorRole role)
    {
        var tensors = program.Tensors.Where(t => t.Role == role).ToList();
        if (tensors.Count == 0)
        {
            return null;
        }

        var t = tensors[rng.Next(tensors.Count)];
        var row = rng.Next(t.Rows);
        var col = rng.Next(t.Cols);
        var at = t.Address + (row * t.StrideBytes) + t.ByteOffset(col);
        var reads = role == TensorRole.Input;
        return new InjectedFault(program, options with
        {
            SlaveErrorRange = (at, at + 1),
            SlaveErrorDirection = reads ? SlaveErrorDirection.Reads : SlaveErrorDirection.Writes,
        }, string.Create(CultureInfo.InvariantCulture, $"SLVERR on {(reads ? "reads" : "writes")} of {t.Name}[{row}, {col}] at 0x{at:X}"));
    }

    private static InjectedFault Fetch(SeededRandom rng, CompiledProgram program, CosimOptions options)
    {
        var pc = rng.Next(program.Length);
        var at = program.ProgramAddress + ((long)pc * IsaSpec.InstructionBytes);
        return new InjectedFault(program, options with { SlaveErrorRange = (at, at + IsaSpec.InstructionBytes), SlaveErrorDirection = SlaveErrorDirection.Reads },
            string.Create(CultureInfo.InvariantCulture, $"SLVERR on reads of instruction {pc} at 0x{at:X}"));
    }

    private static InjectedFault? Decerr(SeededRandom rng, CompiledProgram program, CosimOptions options, params Opcode[] opcodes)
    {
        var candidates = Indices(program, i => opcodes.Contains(i.Opcode));
        if (candidates.Count == 0)
        {
            return null;
        }

        // Past the end of the modelled memory (the image size) by 16 MiB plus a random page: every row answers DECERR,
        // also in the replay, where `sim --program` places the program after the image.
        var pc = candidates[rng.Next(candidates.Count)];
        var beyond = ((program.Dram.LongLength + 4095) / 4096 * 4096) + (16L << 20) + (4096L * rng.Next(256));
        return Replace(program, options, pc, program.Instructions[pc].Set(IsaFields.DramAddr, (ulong)beyond),
            string.Create(CultureInfo.InvariantCulture, $"dram_addr of instruction {pc} moved to 0x{beyond:X}, past the {program.Dram.Length}-byte memory"));
    }

    private static InjectedFault Illegal(SeededRandom rng, CompiledProgram program, CosimOptions options)
    {
        var pc = rng.Next(program.Length);
        uint opcode;
        do
        {
            opcode = (uint)rng.Next(256);
        }
        while (IsaSpec.IsLegal(opcode));

        var word = Word(program, pc);
        word[0] = (byte)opcode;
        return Replace(program, options, pc, word, string.Create(CultureInfo.InvariantCulture, $"opcode of instruction {pc} replaced by undefined 0x{opcode:X2}"));
    }

    private static InjectedFault BadField(SeededRandom rng, CompiledProgram program, CosimOptions options)
    {
        var pc = rng.Next(program.Instructions.Count);
        var insn = program.Instructions[pc];
        (string Field, ulong Value)[] choices = insn.Opcode switch
        {
            Opcode.Load => [(IsaFields.Rows, 0), (IsaFields.Cols, 0), (IsaFields.Target, 3)],
            Opcode.Store => [(IsaFields.Rows, 0), (IsaFields.Cols, 0), (IsaFields.Func, 3)],
            Opcode.Compute => [(IsaFields.Rows, 0), (IsaFields.K, 0), (IsaFields.Mode, 3)],
            Opcode.ConfigStore => [(IsaFields.Shift, 63), (IsaFields.Multiplier, 1UL << 31)],
            Opcode.ConfigPost => [(IsaFields.Reg, 255)],
            _ => [(IsaFields.Rows, 0), (IsaFields.Width, 0), (IsaFields.Func, 3)],
        };
        var (field, value) = choices[rng.Next(choices.Length)];
        return Replace(program, options, pc, insn.Set(field, value),
            string.Create(CultureInfo.InvariantCulture, $"{insn.Format.Mnemonic} at instruction {pc}: {field}={value}"));
    }

    private static InjectedFault? LocalRange(SeededRandom rng, DesignModel d, CompiledProgram program, CosimOptions options)
    {
        // The field that names a local row, and the depth of the memory it addresses.
        (string Field, long Depth)? Target(Instruction i) => i.Opcode switch
        {
            Opcode.Load => (IsaFields.LocalAddr, (LoadTarget)i[IsaFields.Target] == LoadTarget.Accumulator ? d.AccDepth : d.SpDepth),
            Opcode.Store or Opcode.Normalize => (IsaFields.LocalAddr, d.AccDepth),
            Opcode.Compute => (IsaFields.CAddr, d.AccDepth),
            _ => null,
        };
        var candidates = Indices(program, i => Target(i) is { } t && (long)MaxValue(i, t.Field) >= t.Depth);
        if (candidates.Count == 0)
        {
            return null;
        }

        var pc = candidates[rng.Next(candidates.Count)];
        var insn = program.Instructions[pc];
        var (field, depth) = Target(insn)!.Value;
        var value = (ulong)depth + (ulong)rng.Next((int)Math.Min(int.MaxValue, (long)MaxValue(insn, field) - depth + 1));
        return Replace(program, options, pc, insn.Set(field, value),
            string.Create(CultureInfo.InvariantCulture, $"{insn.Format.Mnemonic} at instruction {pc}: {field}={value}, past the {depth}-row memory"));
    }

    private static InjectedFault? ExtraPop(SeededRandom rng, CompiledProgram program, CosimOptions options)
    {
        // A channel whose pops already use up every push: one more pop can never be satisfied.
        var pushes = new int[4];
        var pops = new int[4];
        foreach (var view in program.Instructions.Select(i => new InstructionView(i)))
        {
            foreach (var c in view.Pushes)
            {
                pushes[(int)c]++;
            }

            foreach (var c in view.Pops)
            {
                pops[(int)c]++;
            }
        }

        var candidates = new List<(int Pc, Tokens Flag, TokenChannel Channel)>();
        for (var pc = 0; pc < program.Instructions.Count; pc++)
        {
            var view = new InstructionView(program.Instructions[pc]);
            foreach (var flag in new[] { Tokens.PopPrev, Tokens.PopNext })
            {
                if ((view.Tokens & flag) == 0 && InstructionView.Channel(view.Unit, flag) is { } c && pops[(int)c] >= pushes[(int)c])
                {
                    candidates.Add((pc, flag, c));
                }
            }
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        var (at, f, channel) = candidates[rng.Next(candidates.Count)];
        var name = f == Tokens.PopPrev ? IsaFields.PopPrev : IsaFields.PopNext;
        return Replace(program, options, at, program.Instructions[at].Set(name, 1),
            string.Create(CultureInfo.InvariantCulture, $"{name} added to instruction {at} ({program.Instructions[at].Format.Mnemonic}): one {channel} pop more than pushes"));
    }

    private static List<int> Indices(CompiledProgram program, Func<Instruction, bool> where) =>
        Enumerable.Range(0, program.Instructions.Count).Where(i => where(program.Instructions[i])).ToList();

    private static ulong MaxValue(Instruction insn, string field) => IsaSpec.AllFields(insn.Format).First(f => f.Name == field).MaxValue;

    private static Instruction Set(this Instruction insn, string field, ulong value) => insn with { Values = insn.Values.SetItem(field, value) };

    private static byte[] Word(CompiledProgram program, int pc) =>
        program.Dram.AsSpan(checked((int)(program.ProgramAddress + ((long)pc * IsaSpec.InstructionBytes))), IsaSpec.InstructionBytes).ToArray();

    private static InjectedFault Replace(CompiledProgram program, CosimOptions options, int pc, Instruction insn, string description) =>
        Replace(program, options, pc, insn.Encode(), description);

    private static InjectedFault Replace(CompiledProgram program, CosimOptions options, int pc, byte[] word, string description)
    {
        var dram = (byte[])program.Dram.Clone();
        word.CopyTo(dram, program.ProgramAddress + ((long)pc * IsaSpec.InstructionBytes));
        var decoded = Instruction.Decode(word);
        var instructions = program.Instructions.Take(pc).ToList();
        if (decoded is not null)
        {
            instructions.Add(decoded);
            instructions.AddRange(program.Instructions.Skip(pc + 1));
        }

        return new InjectedFault(program with { Dram = dram, Instructions = instructions, Length = program.Length }, options, description);
    }
}
