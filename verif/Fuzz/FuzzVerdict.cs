namespace HwGen.Verif;

/// <summary>How one fuzz case ended.</summary>
public enum FuzzVerdict
{
    /// <summary>Bit-exact, no problems.</summary>
    Pass,

    /// <summary>The RTL and the golden model disagree (data, fault, counters or AXI protocol).</summary>
    Mismatch,

    /// <summary>The watchdog fired or the cycle budget ran out.</summary>
    Hang,

    /// <summary>The workload did not compile for the configuration (not a failure; counted apart).</summary>
    Skipped,
}
