namespace HwGen.Generator.Isa;

/// <summary>
/// Typed reading of an <see cref="Instruction"/>: every field as its C# type (enums for coded fields), so the golden
/// model, the performance model and the token checker name no field by string. A property of a field the opcode does not
/// have throws.
/// </summary>
public readonly record struct InstructionView(Instruction Instruction)
{
    /// <summary>The opcode.</summary>
    public Opcode Opcode => Instruction.Opcode;

    /// <summary>The unit that runs it.</summary>
    public Unit Unit => Instruction.Format.Unit;

    /// <summary>The token flags.</summary>
    public Tokens Tokens
    {
        get
        {
            var flags = Tokens.None;
            for (var i = 0; i < IsaFields.TokenFields.Count; i++)
            {
                flags |= Instruction[IsaFields.TokenFields[i]] != 0 ? (Tokens)(1 << i) : Tokens.None;
            }

            return flags;
        }
    }

    /// <summary>Rows (load, store, normalize, compute).</summary>
    public long Rows => Get(IsaFields.Rows);

    /// <summary>Elements per row (load, store).</summary>
    public long Cols => Get(IsaFields.Cols);

    /// <summary>First local row (load, store, normalize).</summary>
    public long LocalAddr => Get(IsaFields.LocalAddr);

    /// <summary>DRAM byte address (load, store, normalize).</summary>
    public long DramAddr => Get(IsaFields.DramAddr);

    /// <summary>DRAM row stride in bytes (load, store, normalize).</summary>
    public long DramStride => Get(IsaFields.DramStride);

    /// <summary>The raw target field of a load (may be the reserved 3).</summary>
    public LoadTarget Target => (LoadTarget)Get(IsaFields.Target);

    /// <summary>int16 DRAM elements (load elem16).</summary>
    public bool Elem16 => Get(IsaFields.Elem16) != 0;

    /// <summary>Signed 4-bit DRAM elements, two per byte (load int4).</summary>
    public bool Int4 => Get(IsaFields.Int4) != 0;

    /// <summary>Bytes of one DRAM element of a load: 2 with elem16, else 4 for the accumulator and 1 for the scratchpad (int4: see <see cref="LoadRowBytes"/>).</summary>
    public int LoadElementBytes => Elem16 ? 2 : Target == LoadTarget.Accumulator ? 4 : 1;

    /// <summary>Bytes of one DRAM row of a load (cols elements; ceil(cols/2) with int4).</summary>
    public long LoadRowBytes => Int4 && !Elem16 ? (Cols + 1) / 2 : Cols * LoadElementBytes;

    /// <summary>int16 output elements (normalize wide).</summary>
    public bool Wide => Get(IsaFields.Wide) != 0;

    /// <summary>Bytes of one DRAM output row of a normalize: width, twice that when wide.</summary>
    public long NormalizeRowBytes => Width * (Wide ? 2 : 1);

    /// <summary>The raw func field of a store (may be reserved).</summary>
    public StoreFunc StoreFunc => (StoreFunc)Get(IsaFields.Func);

    /// <summary>Per-column multipliers from accumulator row requant_cols (store col_mult).</summary>
    public bool ColMult => Get(IsaFields.ColMult) != 0;

    /// <summary>The raw func field of a normalize (may be reserved).</summary>
    public NormalizeFunc NormalizeFunc => (NormalizeFunc)Get(IsaFields.Func);

    /// <summary>Causal mask (normalize).</summary>
    public bool Causal => Get(IsaFields.Causal) != 0;

    /// <summary>The raw causal field (normalize).</summary>
    public long CausalField => Get(IsaFields.Causal);

    /// <summary>Logical row width (normalize).</summary>
    public long Width => Get(IsaFields.Width);

    /// <summary>Causal-mask row offset (normalize).</summary>
    public long MaskOffset => Get(IsaFields.MaskOffset);

    /// <summary>ReLU (config_store).</summary>
    public bool Relu => Get(IsaFields.Relu) == 1;

    /// <summary>Shift (config_store).</summary>
    public long Shift => Get(IsaFields.Shift);

    /// <summary>Multiplier (config_store).</summary>
    public long Multiplier => Get(IsaFields.Multiplier);

    /// <summary>Register index (config_post), possibly undefined.</summary>
    public long RegIndex => Get(IsaFields.Reg);

    /// <summary>Register (config_post).</summary>
    public PostRegister Reg => (PostRegister)RegIndex;

    /// <summary>Value (config_post), as unsigned.</summary>
    public ulong Value => Instruction[IsaFields.Value];

    /// <summary>Dataflow (compute).</summary>
    public Design.Dataflow Dataflow => (Design.Dataflow)Get(IsaFields.Dataflow);

    /// <summary>The raw mode field (compute; may be the reserved 3).</summary>
    public ComputeMode Mode => (ComputeMode)Get(IsaFields.Mode);

    /// <summary>Packed int4 B rows, two column blocks a pass (compute).</summary>
    public bool Int4Pairs => Get(IsaFields.Int4Pairs) != 0;

    /// <summary>Reduction length (compute).</summary>
    public long K => Get(IsaFields.K);

    /// <summary>A operand row (compute).</summary>
    public long AAddr => Get(IsaFields.AAddr);

    /// <summary>B operand row (compute).</summary>
    public long BAddr => Get(IsaFields.BAddr);

    /// <summary>Output row (compute).</summary>
    public long CAddr => Get(IsaFields.CAddr);

    /// <summary>Bias row (compute, mode bias).</summary>
    public long BiasAddr => Get(IsaFields.BiasAddr);

    /// <summary>The channels this instruction pops, in flag order.</summary>
    public IEnumerable<TokenChannel> Pops => Channels(Tokens.PopPrev | Tokens.PopNext);

    /// <summary>The channels this instruction pushes, in flag order.</summary>
    public IEnumerable<TokenChannel> Pushes => Channels(Tokens.PushPrev | Tokens.PushNext);

    /// <summary>
    /// The channel a token flag of a unit uses, or null when the flag means nothing for that unit (load has no previous
    /// unit, store no next one).
    /// </summary>
    public static TokenChannel? Channel(Unit unit, Tokens flag) => (unit, flag) switch
    {
        (Unit.Load, Tokens.PopNext) => TokenChannel.ExecuteToLoad,
        (Unit.Load, Tokens.PushNext) => TokenChannel.LoadToExecute,
        (Unit.Execute, Tokens.PopPrev) => TokenChannel.LoadToExecute,
        (Unit.Execute, Tokens.PopNext) => TokenChannel.StoreToExecute,
        (Unit.Execute, Tokens.PushPrev) => TokenChannel.ExecuteToLoad,
        (Unit.Execute, Tokens.PushNext) => TokenChannel.ExecuteToStore,
        (Unit.Store, Tokens.PopPrev) => TokenChannel.ExecuteToStore,
        (Unit.Store, Tokens.PushPrev) => TokenChannel.StoreToExecute,
        _ => null,
    };

    /// <summary>The flag a unit sets to pop (or push) a channel: pop_prev/pop_next (push_prev/push_next) by direction.</summary>
    public static Tokens Flag(Unit unit, TokenChannel channel, bool push)
    {
        foreach (var flag in push ? new[] { Tokens.PushPrev, Tokens.PushNext } : [Tokens.PopPrev, Tokens.PopNext])
        {
            if (Channel(unit, flag) == channel)
            {
                return flag;
            }
        }

        throw new ArgumentException($"the {unit} unit does not {(push ? "push" : "pop")} {channel}", nameof(channel));
    }

    private IEnumerable<TokenChannel> Channels(Tokens mask)
    {
        var unit = Unit;
        var tokens = Tokens & mask;
        foreach (var flag in new[] { Tokens.PopPrev, Tokens.PopNext, Tokens.PushPrev, Tokens.PushNext })
        {
            if ((tokens & flag) != 0 && Channel(unit, flag) is { } c)
            {
                yield return c;
            }
        }
    }

    private long Get(string field) => checked((long)Instruction[field]);
}
