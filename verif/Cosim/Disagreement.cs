namespace HwGen.Verif;

/// <summary>Which pair of the three results (untiled reference, golden model, RTL) disagreed in a co-simulation.</summary>
public enum Disagreement
{
    /// <summary>All checked pairs agree.</summary>
    None,

    /// <summary>The RTL differs from the golden model: an RTL (or harness) bug.</summary>
    RtlVsGolden,

    /// <summary>The golden model differs from the untiled reference while the RTL follows the golden model: a compiler bug.</summary>
    GoldenVsReference,

    /// <summary>Both pairs disagree.</summary>
    Both,
}
