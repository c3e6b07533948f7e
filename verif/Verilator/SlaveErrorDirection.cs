namespace HwGen.Verif;

/// <summary>The AXI direction an injected SLVERR range answers.</summary>
public enum SlaveErrorDirection
{
    /// <summary>Reads (loads, instruction fetch) and writes (stores).</summary>
    Both,

    /// <summary>Only read beats.</summary>
    Reads,

    /// <summary>Only write beats.</summary>
    Writes,
}
