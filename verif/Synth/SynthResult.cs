namespace HwGen.Verif.Synth;

/// <summary>Resource figures and checks from one Yosys run.</summary>
public sealed record SynthResult
{
    /// <summary>Target that was synthesized for.</summary>
    public required SynthTarget Target { get; init; }

    /// <summary>Look-up tables (all sizes).</summary>
    public required long Luts { get; init; }

    /// <summary>Flip-flops.</summary>
    public required long FlipFlops { get; init; }

    /// <summary>DSP blocks (DSP48E1 or SB_MAC16).</summary>
    public required long Dsps { get; init; }

    /// <summary>Block RAMs in 36 Kb (Xilinx) or 4 Kb (iCE40) units; RAMB18 counts as half.</summary>
    public required double Brams { get; init; }

    /// <summary>Distributed (LUT) RAM cells.</summary>
    public required long LutRams { get; init; }

    /// <summary>Carry-chain cells.</summary>
    public required long Carry { get; init; }

    /// <summary>Latches (any latch cell or inferred latch).</summary>
    public required long Latches { get; init; }

    /// <summary>Cells on the longest combinational path (Yosys <c>ltp -noff</c>).</summary>
    public required long LogicDepth { get; init; }

    /// <summary>Every cell type and its count.</summary>
    public required IReadOnlyDictionary<string, long> Cells { get; init; }

    /// <summary>Each memory and what Yosys mapped it to (block RAM, LUT RAM, or flip-flops).</summary>
    public required IReadOnlyDictionary<string, string> Memories { get; init; }

    /// <summary>Wall-clock seconds Yosys took.</summary>
    public required double Seconds { get; init; }

    /// <summary>Path of the full Yosys log.</summary>
    public required string LogPath { get; init; }

    /// <summary>Problems that fail the synthesis check (latches, intended block RAM in flip-flops).</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>The JSON netlist for place and route (iCE40 only).</summary>
    public string? Netlist { get; init; }

    /// <summary>True when there are no problems.</summary>
    public bool Ok => Problems.Count == 0;
}
