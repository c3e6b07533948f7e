using HwGen.Verif.Synth;

namespace HwGen.Explore.Cost;

/// <summary>A configuration with measured resources beside the model's.</summary>
/// <param name="Name">Configuration name.</param>
/// <param name="Model">What the model predicts.</param>
/// <param name="Measured">What Yosys reported.</param>
public sealed record ResourceComparison(string Name, FpgaCounts Model, FpgaCounts Measured)
{
    /// <summary>Per resource (LUTs, FFs, DSPs, BRAMs), (model − measured) / measured in percent.</summary>
    public double[] ErrorPct => [.. Model.ToArray().Zip(Measured.ToArray(), ResourceModel.ErrorPct)];
}
