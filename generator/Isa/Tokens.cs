namespace HwGen.Generator.Isa;

/// <summary>The four token flags every instruction carries (the common fields after the opcode, in bit order).</summary>
[Flags]
public enum Tokens
{
    /// <summary>No token.</summary>
    None = 0,

    /// <summary>pop_prev: wait for a token from the previous unit.</summary>
    PopPrev = 1,

    /// <summary>pop_next: wait for a token from the next unit.</summary>
    PopNext = 2,

    /// <summary>push_prev: on completion, give a token to the previous unit.</summary>
    PushPrev = 4,

    /// <summary>push_next: on completion, give a token to the next unit.</summary>
    PushNext = 8,
}
