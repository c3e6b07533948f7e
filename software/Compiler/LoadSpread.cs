namespace HwGen.Software.Compiler;

/// <summary>
/// How the phase builder spreads phase p+1's loads among phase p's computes, defined once for the compiler and the fast
/// estimator: by time, each instruction weighed by roughly how long it keeps its unit busy. A load goes next once the
/// loads' share of their total weight is behind the computes' share of theirs (with leading loads, also when level).
/// </summary>
public static class LoadSpread
{
    /// <summary>A load's weight: its AXI beats, at least one per row.</summary>
    public static double Load(long rows, long rowBytes, int axiBytes) => rows * Math.Max(1, (rowBytes + axiBytes - 1) / axiBytes);

    /// <summary>
    /// A compute's weight: the rows a weight-stationary compute streams, or an output-stationary one's k steps and
    /// drain; store-path instructions among the computes (a subtile's epilogue) weigh one.
    /// </summary>
    public static double Compute(bool outputStationary, long rows, long k) => outputStationary ? k + rows : Math.Max(1, rows);

    /// <summary>True when the next load goes before the next compute, given the weights placed so far and in total.</summary>
    public static bool LoadFirst(double loadsPlaced, double loadTotal, double computesPlaced, double computeTotal, bool leading)
    {
        var lead = (loadsPlaced * computeTotal) - (computesPlaced * loadTotal);
        return lead < 0 || (leading && lead == 0);
    }
}
