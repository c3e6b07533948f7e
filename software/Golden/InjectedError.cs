namespace HwGen.Software.Golden;

/// <summary>
/// An AXI slave error the memory answers for every beat that touches [<paramref name="Start"/>, <paramref name="End"/>)
/// (the harness's <c>--slverr</c>), so the golden model can predict the fault the RTL must report.
/// </summary>
/// <param name="Start">First byte address of the error range.</param>
/// <param name="End">Byte address one past the error range.</param>
/// <param name="Reads">The range answers SLVERR to reads (loads and instruction fetch).</param>
/// <param name="Writes">The range answers SLVERR to writes (stores).</param>
public sealed record InjectedError(long Start, long End, bool Reads = true, bool Writes = true)
{
    /// <summary>True when [<paramref name="lo"/>, <paramref name="hi"/>) overlaps the range.</summary>
    public bool Overlaps(long lo, long hi) => lo < End && hi > Start;
}
