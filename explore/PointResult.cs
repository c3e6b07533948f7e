namespace HwGen.Explore;

/// <summary>What the models say about one design point (one line of <c>results.jsonl</c>, <c>points.csv</c>).</summary>
public sealed record PointResult
{
    /// <summary>Position in the space's enumeration.</summary>
    public required int Index { get; init; }

    /// <summary>Stable identifier: a hash of the swept values (and the base configuration and workload).</summary>
    public required string Id { get; init; }

    /// <summary>The swept keys' values.</summary>
    public required SortedDictionary<string, string> Values { get; init; }

    /// <summary><c>ok</c>, <c>invalid</c> (the configuration rules refuse the combination) or <c>does_not_fit</c> (the workload does not compile for it).</summary>
    public required string Status { get; init; }

    /// <summary>Which estimator gave the cycles and work: <c>fast</c> (from the shapes) or <c>replay</c> (the compiled program in the performance model).</summary>
    public string Estimator { get; init; } = "replay";

    /// <summary>Accuracy of the point's model shape from the space's accuracy CSV (null without one).</summary>
    public double? Accuracy { get; init; }

    /// <summary>Why a point is not ok.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>Cycles the performance model predicts.</summary>
    public long Cycles { get; init; }

    /// <summary>Useful MACs over cycles × PEs.</summary>
    public double Utilization { get; init; }

    /// <summary>Dynamic energy of one run, microjoules.</summary>
    public double EnergyUj { get; init; }

    /// <summary>Of which: array MACs, scratchpad, accumulator, DRAM, nonlinear units and requantizer (µJ).</summary>
    public double[] EnergySplitUj { get; init; } = [];

    /// <summary>Energy-delay product: µJ × million cycles.</summary>
    public double Edp => EnergyUj * Cycles / 1e6;

    /// <summary>Processing elements.</summary>
    public int Pes { get; init; }

    /// <summary>Scratchpad plus accumulator, KiB.</summary>
    public int OnChipKib { get; init; }

    /// <summary>LUTs the FPGA resource model predicts (Xilinx 7-series, <c>Cost/ResourceModel</c>).</summary>
    public double Luts { get; init; }

    /// <summary>Flip-flops the resource model predicts.</summary>
    public double Ffs { get; init; }

    /// <summary>DSP48E1 blocks the resource model predicts.</summary>
    public double Dsps { get; init; }

    /// <summary>Block RAMs (36 Kb) the resource model predicts.</summary>
    public double Brams { get; init; }

    /// <summary>The area objective: LUTs plus FFs, DSPs and BRAMs in LUT-equivalents (<c>ResourceModel.LutEquivalent</c>).</summary>
    public double AreaLutEq { get; init; }

    /// <summary>The resolved configuration (YAML), for the re-check.</summary>
    public string ConfigYaml { get; init; } = string.Empty;

    /// <summary>True when the point is on the Pareto front (set after the sweep).</summary>
    public bool OnFront { get; init; }
}
