namespace HwGen.Verif.Synth;

/// <summary>LUTs, flip-flops, DSPs and block RAMs (36 Kb units; RAMB18 counts as half) of a module or a design.</summary>
public sealed record FpgaCounts(double Luts, double FlipFlops, double Dsps, double Brams)
{
    /// <summary>Nothing.</summary>
    public static FpgaCounts Zero { get; } = new(0, 0, 0, 0);

    /// <summary>The four figures in the order LUTs, FFs, DSPs, BRAMs.</summary>
    public double[] ToArray() => [Luts, FlipFlops, Dsps, Brams];

    /// <summary>From the four figures in the order LUTs, FFs, DSPs, BRAMs.</summary>
    public static FpgaCounts FromArray(IReadOnlyList<double> v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(v[0], v[1], v[2], v[3]);
    }

    /// <summary>Sum.</summary>
    public static FpgaCounts operator +(FpgaCounts a, FpgaCounts b) =>
        new(a.Luts + b.Luts, a.FlipFlops + b.FlipFlops, a.Dsps + b.Dsps, a.Brams + b.Brams);

    /// <summary>Difference.</summary>
    public static FpgaCounts operator -(FpgaCounts a, FpgaCounts b) =>
        new(a.Luts - b.Luts, a.FlipFlops - b.FlipFlops, a.Dsps - b.Dsps, a.Brams - b.Brams);

    /// <summary>Scaled.</summary>
    public static FpgaCounts operator *(double k, FpgaCounts a) => new(k * a.Luts, k * a.FlipFlops, k * a.Dsps, k * a.Brams);

    /// <summary>From Yosys cell counts (Xilinx 7-series cell names).</summary>
    public static FpgaCounts FromCells(IReadOnlyDictionary<string, long> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        long Sum(Func<string, bool> match) => cells.Where(c => match(c.Key)).Sum(c => c.Value);
        return new(
            Sum(c => c.StartsWith("LUT", StringComparison.Ordinal)),
            Sum(c => c.StartsWith("FD", StringComparison.Ordinal)),
            Sum(c => c.StartsWith("DSP48", StringComparison.Ordinal)),
            Sum(c => c == "RAMB36E1") + (0.5 * Sum(c => c == "RAMB18E1")));
    }
}
