namespace HwGen.Explore.Cost;

/// <summary>One module's fitted coefficients: each resource is Σ coefficient × term (<see cref="ResourceFeatures"/>).</summary>
public sealed record ResourceModuleFit
{
    /// <summary>The module's terms, in the order of the coefficient arrays.</summary>
    public required IReadOnlyList<string> Terms { get; init; }

    /// <summary>Coefficients for LUTs, FFs, DSPs and block RAMs (36 Kb), one array each, one number per term.</summary>
    public required IReadOnlyList<IReadOnlyList<double>> Coefficients { get; init; }
}
