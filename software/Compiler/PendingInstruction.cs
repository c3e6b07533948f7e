using System.Collections.Immutable;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Numerics;

namespace HwGen.Software.Compiler;

/// <summary>
/// One instruction of the program IR. Kernels create it only through the typed builders below (their arguments are the
/// ISA's enums), without tokens; <see cref="TokenScheduler"/> adds the token flags last and <see cref="Build"/> encodes it.
/// This file is the only place in the compiler that binds C# arguments to <see cref="IsaSpec"/> field names.
/// </summary>
internal sealed class PendingInstruction
{
    private readonly Dictionary<string, long> values;

    private PendingInstruction(Opcode opcode, params (string Name, long Value)[] fields)
    {
        Opcode = opcode;
        values = fields.ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal);
    }

    public Opcode Opcode { get; }

    /// <summary>The unit that runs it.</summary>
    public Unit Unit => IsaSpec.Format(Opcode).Unit;

    /// <summary>The token flags set so far.</summary>
    public Tokens Tokens { get; private set; }

    /// <summary>Load <paramref name="rows"/> DRAM rows of <paramref name="cols"/> elements into local memory.</summary>
    public static PendingInstruction Load(LoadTarget target, long rows, long cols, long local, long dram, long stride) =>
        new(Opcode.Load, (IsaFields.Target, (long)target), (IsaFields.Rows, rows), (IsaFields.Cols, cols), (IsaFields.LocalAddr, local),
            (IsaFields.DramAddr, dram), (IsaFields.DramStride, stride));

    /// <summary>A systolic-array compute (bias row <paramref name="bias"/> only read in mode bias).</summary>
    public static PendingInstruction Compute(Dataflow dataflow, ComputeMode mode, long rows, long k, long a, long b, long c, long bias = 0) =>
        new(Opcode.Compute, (IsaFields.Dataflow, (long)dataflow), (IsaFields.Mode, (long)mode), (IsaFields.Rows, rows), (IsaFields.K, k),
            (IsaFields.AAddr, a), (IsaFields.BAddr, b), (IsaFields.CAddr, c), (IsaFields.BiasAddr, bias));

    /// <summary>Store accumulator rows to DRAM through <paramref name="func"/>.</summary>
    public static PendingInstruction Store(StoreFunc func, long rows, long cols, long local, long dram, long stride) =>
        new(Opcode.Store, (IsaFields.Func, (long)func), (IsaFields.Rows, rows), (IsaFields.Cols, cols), (IsaFields.LocalAddr, local),
            (IsaFields.DramAddr, dram), (IsaFields.DramStride, stride));

    /// <summary>The requantization of later stores.</summary>
    public static PendingInstruction ConfigStore(Requantization r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(Opcode.ConfigStore, (IsaFields.Multiplier, r.Multiplier), (IsaFields.Shift, r.Shift), (IsaFields.Relu, r.Relu ? 1 : 0));
    }

    /// <summary>Sets one post-processing register.</summary>
    public static PendingInstruction ConfigPost(PostRegister register, long value) =>
        new(Opcode.ConfigPost, (IsaFields.Reg, (long)register), (IsaFields.Value, value));

    /// <summary>A row-wise normalize (<paramref name="causal"/> and <paramref name="maskOffset"/>: Softmax only).</summary>
    public static PendingInstruction Normalize(NormalizeFunc func, long rows, long width, long local, long dram, long stride, bool causal = false, long maskOffset = 0) =>
        new(Opcode.Normalize, (IsaFields.Func, (long)func), (IsaFields.Causal, causal ? 1 : 0), (IsaFields.MaskOffset, maskOffset), (IsaFields.Rows, rows),
            (IsaFields.Width, width), (IsaFields.LocalAddr, local), (IsaFields.DramAddr, dram), (IsaFields.DramStride, stride));

    public long Rows => Get(IsaFields.Rows);

    public long Cols => Get(IsaFields.Cols);

    public long LocalAddr => Get(IsaFields.LocalAddr);

    public long DramAddr => Get(IsaFields.DramAddr);

    public long DramStride => Get(IsaFields.DramStride);

    public LoadTarget Target => (LoadTarget)Get(IsaFields.Target);

    public NormalizeFunc NormalizeFunc => (NormalizeFunc)Get(IsaFields.Func);

    public long Width => Get(IsaFields.Width);

    public Dataflow Dataflow => (Dataflow)Get(IsaFields.Dataflow);

    public ComputeMode Mode => (ComputeMode)Get(IsaFields.Mode);

    public long K => Get(IsaFields.K);

    public long AAddr => Get(IsaFields.AAddr);

    public long BAddr => Get(IsaFields.BAddr);

    public long CAddr => Get(IsaFields.CAddr);

    public long BiasAddr => Get(IsaFields.BiasAddr);

    public PostRegister Reg => (PostRegister)Get(IsaFields.Reg);

    public long Value => Get(IsaFields.Value);

    /// <summary>Adds token flags (only <see cref="TokenScheduler"/> and hand-written programs do).</summary>
    public void Set(Tokens flags) => Tokens |= flags;

    /// <summary>Builds the instruction (same result as <see cref="Instruction.Create(Opcode, IReadOnlyDictionary{string, ulong})"/>, several times faster).</summary>
    public Instruction Build()
    {
        var format = IsaSpec.Format(Opcode);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, ulong>(StringComparer.Ordinal);
        var used = 0;
        foreach (var field in IsaSpec.AllFields(format))
        {
            ulong v = 0;
            var token = TokenBit(field.Name);
            if (field.Name == IsaFields.Opcode)
            {
                v = (ulong)Opcode;
            }
            else if (token >= 0)
            {
                v = (Tokens & (Tokens)(1 << token)) != 0 ? 1UL : 0UL;
            }
            else if (values.TryGetValue(field.Name, out var given))
            {
                used++;
                v = checked((ulong)given);
                if (v > field.MaxValue)
                {
                    throw new InvalidOperationException($"compiler bug: {format.Mnemonic}.{field.Name} = {given} does not fit in {field.Width} bits");
                }
            }

            builder[field.Name] = v;
        }

        if (used != values.Count)
        {
            throw new InvalidOperationException($"compiler bug: {format.Mnemonic} given an unknown field among {string.Join(", ", values.Keys)}");
        }

        return new Instruction(format, builder.ToImmutable());
    }

    private static int TokenBit(string name)
    {
        for (var i = 0; i < IsaFields.TokenFields.Count; i++)
        {
            if (IsaFields.TokenFields[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    private long Get(string name) => values.TryGetValue(name, out var v) ? v : 0;
}
