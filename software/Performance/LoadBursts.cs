namespace HwGen.Software.Performance;

/// <summary>
/// How the load unit (hwgen_load_agen) turns a load's DRAM rows into AXI read bursts. Per row: one INCR burst a row, two
/// when the row crosses a 4 KiB boundary. Merged, when the rows form one contiguous rectangle (at least two rows,
/// <c>dram_stride</c> equal to the row's bytes, a beat-aligned start, the row's bytes a power of two: a power-of-two
/// number of beats, or a beat / 2^j such as an int4 row of COLS/2 bytes on a COLS-byte bus): bursts of up to 256 beats
/// over the whole rectangle rounded up to whole beats, each cut at the next 4 KiB boundary. Either way the read-data side
/// receives the same rows; rows smaller than a beat share their beats and leave the read channel one row a cycle.
/// </summary>
public static class LoadBursts
{
    /// <summary>The AXI4 limit of an INCR burst, beats.</summary>
    public const int MaxBeats = 256;

    /// <summary>No burst crosses a multiple of this (AXI4, A3.4.1).</summary>
    public const int PageBytes = 4096;

    /// <summary>True when the load's rows go out as merged bursts.</summary>
    public static bool Mergeable(long dramAddr, long stride, long rows, long rowBytes, int beatBytes)
    {
        return rows >= 2 && rowBytes > 0 && stride == rowBytes && dramAddr % beatBytes == 0 && (rowBytes & (rowBytes - 1)) == 0;
    }

    /// <summary>The beats of a merged load: its bytes rounded up to whole beats (the last beat of rows smaller than a beat may be part full).</summary>
    public static long MergedBeats(long rows, long rowBytes, int beatBytes) => ((rows * rowBytes) + beatBytes - 1) / beatBytes;

    /// <summary>
    /// The cycles the read channel spends on a merged burst of <paramref name="beats"/> beats with <paramref name="rowsLeft"/>
    /// of the load's rows still to come: a beat a cycle, or a row a cycle when rows are smaller than a beat (the load unit
    /// holds each beat while it takes its rows).
    /// </summary>
    public static long BurstCycles(long beats, long rowsLeft, long rowBytes, int beatBytes) =>
        rowBytes >= beatBytes ? beats : Math.Min(beats * (beatBytes / rowBytes), rowsLeft);

    /// <summary>The merged bursts of <paramref name="beats"/> beats from the beat-aligned <paramref name="address"/>: (address, beats).</summary>
    public static IEnumerable<(long Address, int Beats)> Merged(long address, long beats, int beatBytes)
    {
        while (beats > 0)
        {
            var toPage = (PageBytes - (address % PageBytes)) / beatBytes;
            var n = (int)Math.Min(Math.Min(beats, MaxBeats), toPage);
            yield return (address, n);
            address += (long)n * beatBytes;
            beats -= n;
        }
    }
}
