namespace HwGen.Explore.Cost;

/// <summary>
/// Energy per operation in picojoules, at 45 nm and 0.9 V, from M. Horowitz, "Computing's energy problem (and what we
/// can do about it)", ISSCC 2014, Fig. 1.1.9: 8-bit integer multiply 0.2 pJ, 32-bit integer add 0.1 pJ, 32-bit
/// integer multiply 3.1 pJ; a 64-bit SRAM read 10 pJ (8 KB), 20 pJ (32 KB), 100 pJ (1 MB); a 64-bit DRAM access
/// 1.3–2.6 nJ. Dynamic energy only: leakage and clock-tree energy are not modelled (docs/explore.md).
/// </summary>
public sealed record EnergyConstants
{
    /// <summary>The published figures.</summary>
    public static EnergyConstants Horowitz45nm { get; } = new();

    /// <summary>8-bit integer multiply.</summary>
    public double Mult8Pj { get; init; } = 0.2;

    /// <summary>32-bit integer add.</summary>
    public double Add32Pj { get; init; } = 0.1;

    /// <summary>32-bit integer multiply.</summary>
    public double Mult32Pj { get; init; } = 3.1;

    /// <summary>64-bit read of an 8 KiB SRAM; other sizes scale with the square root of the size (20 pJ at 32 KiB, 113 at 1 MiB).</summary>
    public double Sram8KibRead64Pj { get; init; } = 10;

    /// <summary>64-bit DRAM access: the middle of the published 1.3–2.6 nJ.</summary>
    public double Dram64Pj { get; init; } = 1950;

    /// <summary>One MAC of the array: an 8-bit multiply and a 32-bit accumulate.</summary>
    public double MacPj => Mult8Pj + Add32Pj;

    /// <summary>Per DRAM byte.</summary>
    public double DramBytePj => Dram64Pj / 8;

    /// <summary>Per bit read or written in an SRAM bank of <paramref name="bankBytes"/> bytes.</summary>
    public double SramBitPj(long bankBytes) => Sram8KibRead64Pj * Math.Sqrt(bankBytes / 8192.0) / 64;

    /// <summary>Per element requantized (a 32-bit multiply and a rounding add).</summary>
    public double RequantPj => Mult32Pj + Add32Pj;

    /// <summary>Per element through I-GELU (docs/numerics.md: a second-order polynomial of the clipped input, the product with x).</summary>
    public double GeluPj => (2 * Mult32Pj) + (3 * Add32Pj);

    /// <summary>Per element through the Softmax unit (max compare, i-exp polynomial and shift, row sum, normalizing multiply).</summary>
    public double SoftmaxPj => (3 * Mult32Pj) + (4 * Add32Pj);

    /// <summary>Per element through the LayerNorm unit (sums, squared deviation, normalize, γ multiply, β add).</summary>
    public double LayerNormPj => (3 * Mult32Pj) + (4 * Add32Pj);

    /// <summary>Per element of a residual add (align multiply, add, requantize).</summary>
    public double AddPj => Mult32Pj + (2 * Add32Pj);
}
