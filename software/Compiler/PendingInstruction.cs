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
    private readonly Instruction fields;

    private PendingInstruction(Opcode opcode, params (string Name, long Value)[] given) => fields = Encode(opcode, given);

    public Opcode Opcode => fields.Opcode;

    /// <summary>The unit that runs it.</summary>
    public Unit Unit => fields.Format.Unit;

    /// <summary>The token flags set so far.</summary>
    public Tokens Tokens { get; private set; }

    /// <summary>The fields, typed (token flags not included).</summary>
    public InstructionView View => new(fields);

    /// <summary>
    /// Load <paramref name="rows"/> DRAM rows of <paramref name="cols"/> elements into local memory (int16 DRAM elements with
    /// <paramref name="elem16"/>, packed int4 ones with <paramref name="int4"/>).
    /// </summary>
    public static PendingInstruction Load(LoadTarget target, long rows, long cols, long local, long dram, long stride, bool elem16 = false, bool int4 = false) =>
        new(Opcode.Load, (IsaFields.Target, (long)target), (IsaFields.Elem16, elem16 ? 1 : 0), (IsaFields.Int4, int4 ? 1 : 0), (IsaFields.Rows, rows), (IsaFields.Cols, cols), (IsaFields.LocalAddr, local),
            (IsaFields.DramAddr, dram), (IsaFields.DramStride, stride));

    /// <summary>
    /// A systolic-array compute (bias row <paramref name="bias"/> only read in mode bias; with <paramref name="int4Pairs"/>, packed int4 B
    /// rows, two column blocks in one output-stationary pass).
    /// </summary>
    public static PendingInstruction Compute(Dataflow dataflow, ComputeMode mode, long rows, long k, long a, long b, long c, long bias = 0, bool int4Pairs = false) =>
        new(Opcode.Compute, (IsaFields.Dataflow, (long)dataflow), (IsaFields.Mode, (long)mode), (IsaFields.Int4Pairs, int4Pairs ? 1 : 0), (IsaFields.Rows, rows), (IsaFields.K, k),
            (IsaFields.AAddr, a), (IsaFields.BAddr, b), (IsaFields.CAddr, c), (IsaFields.BiasAddr, bias));

    /// <summary>Store accumulator rows to DRAM through <paramref name="func"/> (with <paramref name="colMult"/>: per-column multipliers from row requant_cols).</summary>
    public static PendingInstruction Store(StoreFunc func, long rows, long cols, long local, long dram, long stride, bool colMult = false) =>
        new(Opcode.Store, (IsaFields.Func, (long)func), (IsaFields.ColMult, colMult ? 1 : 0), (IsaFields.Rows, rows), (IsaFields.Cols, cols), (IsaFields.LocalAddr, local),
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

    /// <summary>A row-wise normalize (<paramref name="causal"/> and <paramref name="maskOffset"/>: Softmax only; <paramref name="wide"/>, int16 output: LayerNorm and add only).</summary>
    public static PendingInstruction Normalize(NormalizeFunc func, long rows, long width, long local, long dram, long stride, bool causal = false, long maskOffset = 0, bool wide = false) =>
        new(Opcode.Normalize, (IsaFields.Func, (long)func), (IsaFields.Causal, causal ? 1 : 0), (IsaFields.MaskOffset, maskOffset), (IsaFields.Wide, wide ? 1 : 0), (IsaFields.Rows, rows),
            (IsaFields.Width, width), (IsaFields.LocalAddr, local), (IsaFields.DramAddr, dram), (IsaFields.DramStride, stride));

    /// <summary>Adds token flags (only <see cref="TokenScheduler"/> and hand-written programs do).</summary>
    public void Set(Tokens flags) => Tokens |= flags;

    /// <summary>The instruction with its token flags.</summary>
    public Instruction Build()
    {
        var values = fields.Values;
        for (var bit = 0; bit < IsaFields.TokenFields.Count; bit++)
        {
            if ((Tokens & (Tokens)(1 << bit)) != 0)
            {
                values = values.SetItem(IsaFields.TokenFields[bit], 1);
            }
        }

        return fields with { Values = values };
    }

    /// <summary>The instruction with the given fields and every other field zero (same result as <see cref="Instruction.Create(Opcode, IReadOnlyDictionary{string, ulong})"/>, several times faster).</summary>
    private static Instruction Encode(Opcode opcode, (string Name, long Value)[] given)
    {
        var format = IsaSpec.Format(opcode);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, ulong>(StringComparer.Ordinal);
        foreach (var field in IsaSpec.AllFields(format))
        {
            builder[field.Name] = field.Name == IsaFields.Opcode ? (ulong)opcode : 0;
        }

        foreach (var (name, value) in given)
        {
            var field = format.Fields.First(f => f.Name == name);
            var v = checked((ulong)value);
            if (v > field.MaxValue)
            {
                throw new InvalidOperationException($"compiler bug: {format.Mnemonic}.{name} = {value} does not fit in {field.Width} bits");
            }

            builder[name] = v;
        }

        return new Instruction(format, builder.ToImmutable());
    }
}
