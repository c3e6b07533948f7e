namespace HwGen.Generator.Isa;

/// <summary>
/// The field names of <see cref="IsaSpec"/> as constants, so C# code names a field once and the compiler catches a typo.
/// A test checks that every constant is a field of IsaSpec.
/// </summary>
public static class IsaFields
{
#pragma warning disable CS1591 // each constant is the IsaSpec field of the same name
    public const string Opcode = "opcode", PopPrev = "pop_prev", PopNext = "pop_next", PushPrev = "push_prev", PushNext = "push_next";
    public const string Target = "target", Rows = "rows", Cols = "cols", LocalAddr = "local_addr", DramAddr = "dram_addr", DramStride = "dram_stride";
    public const string Func = "func", Relu = "relu", Shift = "shift", Multiplier = "multiplier", Reg = "reg", Value = "value";
    public const string Causal = "causal", Width = "width", MaskOffset = "mask_offset", Elem16 = "elem16", Int4 = "int4", Wide = "wide", ColMult = "col_mult";
    public const string Dataflow = "dataflow", Mode = "mode", K = "k", AAddr = "a_addr", BAddr = "b_addr", CAddr = "c_addr", BiasAddr = "bias_addr", Int4Pairs = "int4_pairs";
#pragma warning restore CS1591

    /// <summary>The token-flag fields in <see cref="Isa.Tokens"/> bit order.</summary>
    public static IReadOnlyList<string> TokenFields { get; } = [PopPrev, PopNext, PushPrev, PushNext];
}
