namespace HwGen.Verif.Synth;

/// <summary>Yosys synthesis flavour.</summary>
public enum SynthTarget
{
    /// <summary><c>synth_xilinx</c> (7-series cells: LUT6, FDRE, DSP48E1, RAMB18E1/RAMB36E1, CARRY4).</summary>
    Xilinx,

    /// <summary><c>synth_ice40</c> (SB_LUT4, SB_DFF*, SB_MAC16, SB_RAM40_4K, SB_CARRY).</summary>
    Ice40,

    /// <summary><c>synth</c> (generic gates; no DSP or BRAM mapping).</summary>
    Generic,
}
