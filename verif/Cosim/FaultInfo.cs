namespace HwGen.Verif;

/// <summary>A fault as ERR_CODE/ERR_PC report it.</summary>
/// <param name="Code">Fault code (0 = none).</param>
/// <param name="Name">Name from IsaSpec.FaultCodes (<c>unknown</c> for an undefined code).</param>
/// <param name="Pc">Faulting instruction index, or -1 when there is no fault.</param>
public sealed record FaultInfo(int Code, string Name, int Pc)
{
    /// <summary>No fault.</summary>
    public static FaultInfo None { get; } = new(0, "none", -1);

    /// <summary>Builds a fault from a code and PC, naming it from IsaSpec.</summary>
    public static FaultInfo From(int code, int pc) => code == 0
        ? None
        : new FaultInfo(code, HwGen.Generator.Isa.IsaSpec.FaultCodes.FirstOrDefault(f => f.Code == code).Name ?? "unknown", pc);
}
