namespace HwGen.Software.Performance;

/// <summary>
/// The AXI read-data channel as the performance model sees it: one beat per cycle, shared by instruction fetch and the
/// load unit. A request for n beats that may start at cycle t gets the first n-beat gap at or after t (the requests of
/// both masters interleave as the arbiter interleaves their bursts). Busy intervals are kept sorted and merged.
/// </summary>
internal sealed class ReadBus
{
    private readonly List<long> starts = [];
    private readonly List<long> ends = []; // exclusive

    /// <summary>Beats delivered so far.</summary>
    public long Beats { get; private set; }

    /// <summary>Reserves <paramref name="beats"/> consecutive cycles at or after <paramref name="at"/>; returns the first.</summary>
    public long Reserve(long at, long beats)
    {
        if (beats <= 0)
        {
            return at;
        }

        Beats += beats;
        // First interval that ends after `at`.
        var i = LowerBoundEnd(at);
        var t = at;
        while (i < starts.Count && starts[i] < t + beats)
        {
            t = Math.Max(t, ends[i]);
            i++;
        }

        // [t, t + beats) fits before interval i (or at the end); merge with neighbours.
        var end = t + beats;
        var mergePrev = i > 0 && ends[i - 1] == t;
        var mergeNext = i < starts.Count && starts[i] == end;
        if (mergePrev && mergeNext)
        {
            ends[i - 1] = ends[i];
            starts.RemoveAt(i);
            ends.RemoveAt(i);
        }
        else if (mergePrev)
        {
            ends[i - 1] = end;
        }
        else if (mergeNext)
        {
            starts[i] = t;
        }
        else
        {
            starts.Insert(i, t);
            ends.Insert(i, end);
        }

        return t;
    }

    /// <summary>
    /// Holds the channel in every free cycle of [<paramref name="from"/>, <paramref name="to"/>): a beat waiting at its
    /// head is refused then, and everything behind it waits. Beats placed there before stay where they are.
    /// </summary>
    public void Block(long from, long to)
    {
        var t = from;
        var i = LowerBoundEnd(t);
        while (t < to)
        {
            var gapEnd = i < starts.Count ? Math.Min(starts[i], to) : to;
            if (gapEnd > t)
            {
                Reserve(t, gapEnd - t);
                Beats -= gapEnd - t;
                i = LowerBoundEnd(t);
            }

            if (i >= starts.Count)
            {
                return;
            }

            t = Math.Max(t, ends[i]);
            i++;
        }
    }

    /// <summary>Forgets the intervals that end before <paramref name="cycle"/> (no request comes earlier).</summary>
    public void Forget(long cycle)
    {
        var n = LowerBoundEnd(cycle);
        if (n > 64)
        {
            starts.RemoveRange(0, n);
            ends.RemoveRange(0, n);
        }
    }

    private int LowerBoundEnd(long at)
    {
        int lo = 0, hi = ends.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ends[mid] <= at)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
