namespace HwGen.Verif;

/// <summary>How the golden model's outputs compare with the workload's untiled integer reference.</summary>
/// <param name="Match">True when every reference tensor agrees, false when one differs, null when nothing was checked.</param>
/// <param name="Mismatch">The first differing element (Expected = reference, Actual = golden), or null.</param>
/// <param name="Tensors">Reference tensors compared.</param>
/// <param name="Note">One line: what was checked, or why nothing was.</param>
public sealed record ReferenceCheckResult(bool? Match, TensorMismatch? Mismatch, int Tensors, string Note)
{
    /// <summary>Nothing checked, with the reason.</summary>
    public static ReferenceCheckResult NotChecked(string why) => new(null, null, 0, why);
}
