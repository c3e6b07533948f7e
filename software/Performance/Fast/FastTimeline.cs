namespace HwGen.Software.Performance.Fast;

/// <summary>
/// The units' progress through a whole program, carried from one operation to the next (docs/explore.md, "The fast
/// estimator"): when the load unit, the array and the store unit finish their last work so far, and when each
/// accumulator range an epilogue read is free again. An operation's cycles are how far it moves the array's end, as
/// the replay attributes them (the execute unit's time from one operation's last compute to the next one's).
/// </summary>
internal sealed class FastTimeline
{
    private const int MaxRanges = 64;

    private readonly List<(int Lo, int Hi, double Freed)> ranges = [];

    /// <summary>The load unit's last cycle so far.</summary>
    public double LoadEnd { get; set; }

    /// <summary>The array's last cycle so far (the end of the last compute).</summary>
    public double ComputeEnd { get; private set; }

    /// <summary>The end of the compute before the last step's (the scratchpad half the next step's loads reuse).</summary>
    public double ComputeEndBefore { get; private set; }

    /// <summary>When the last step's computes started, and its first compute's cycles (what the next step's first loads wait for).</summary>
    public (double Start, double First) LastStep { get; private set; }

    /// <summary>The store unit's last cycle so far.</summary>
    public double StoreEnd { get; set; }

    /// <summary>Rows of its output the last step's epilogue wrote (the next operation's first loads that read them wait for it).</summary>
    public (int Lo, int Hi) LastRows { get; set; } = (0, int.MaxValue);

    /// <summary>True until the first compute (the program's first loads are exposed).</summary>
    public bool Empty => ComputeEnd == 0;

    /// <summary>
    /// A step (phase) whose loads and computes were tallied into <paramref name="w"/> since its last mark: its loads follow
    /// the load unit's previous ones once the step two back (the same scratchpad half or slot) has computed; its computes
    /// follow the array's previous ones, its loads and, when <paramref name="waits"/>, the epilogues that read the
    /// accumulator rows [<paramref name="lo"/>, <paramref name="hi"/>) and [<paramref name="lo2"/>, <paramref name="hi2"/>).
    /// With <paramref name="serial"/> its loads overwrite what the step before computes on, so they wait for its end (the
    /// phase builder does not hoist them).
    /// With <paramref name="activation"/> its first loads read what a store of the program wrote: the phase builder spreads
    /// them among the step before's computes and the token scheduler orders each behind the compute before it, so they
    /// wait at least for the end of that step's first compute.
    /// Returns the cycle its computes start.
    /// </summary>
    public double Step(WorkTally w, bool waits, int lo, int hi, int lo2 = 0, int hi2 = 0, bool serial = false, bool activation = false)
    {
        var (l0, e0, _) = w.SinceSegment;
        var after = serial ? ComputeEnd : ComputeEndBefore;
        after = activation ? Math.Max(after, LastStep.Start + LastStep.First) : after;
        LoadEnd = Math.Max(LoadEnd, after) + l0;
        var freed = waits ? Math.Max(FreedFor(lo, hi), hi2 > lo2 ? FreedFor(lo2, hi2) : 0) : 0;
        var start = Math.Max(Math.Max(ComputeEnd, LoadEnd), freed);
        (ComputeEndBefore, ComputeEnd) = (ComputeEnd, start + e0);
        var computes = w.ComputesSinceSegment;
        LastStep = (start, computes > 0 ? e0 / computes : 0);
        return start;
    }

    /// <summary>
    /// The epilogue tallied into <paramref name="w"/> since the step (the store unit's work after the step's computes, in
    /// program order) has read accumulator rows [<paramref name="lo"/>, <paramref name="hi"/>) and [<paramref name="lo2"/>, <paramref name="hi2"/>).
    /// </summary>
    public void Stored(WorkTally w, int lo, int hi, int lo2 = 0, int hi2 = 0)
    {
        StoreEnd = Math.Max(StoreEnd, ComputeEnd) + w.SinceSegment.S;
        Free(lo, hi, StoreEnd);
        if (hi2 > lo2)
        {
            Free(lo2, hi2, StoreEnd);
        }
    }

    /// <summary>When accumulator rows [<paramref name="lo"/>, <paramref name="hi"/>) are free: the last epilogue that read any of them.</summary>
    public double FreedFor(int lo, int hi)
    {
        double t = 0;
        foreach (var r in ranges)
        {
            if (r.Lo < hi && lo < r.Hi)
            {
                t = Math.Max(t, r.Freed);
            }
        }

        return t;
    }

    /// <summary>An epilogue has read accumulator rows [<paramref name="lo"/>, <paramref name="hi"/>) by <paramref name="at"/>.</summary>
    public void Free(int lo, int hi, double at)
    {
        ranges.RemoveAll(r => r.Lo >= lo && r.Hi <= hi);
        ranges.Add((lo, hi, at));
        if (ranges.Count > MaxRanges)
        {
            ranges.RemoveRange(0, ranges.Count - MaxRanges);
        }
    }

    /// <summary>An operation timed instruction by instruction has moved the units' ends (the array's to <paramref name="compute"/>, its phase before to <paramref name="computeBefore"/>).</summary>
    public void Moved(double load, double computeBefore, double compute, double store, (double Start, double First) lastStep)
    {
        LastStep = lastStep;
        LoadEnd = Math.Max(LoadEnd, load);
        (ComputeEndBefore, ComputeEnd) = (computeBefore, compute);
        StoreEnd = Math.Max(StoreEnd, store);
    }

    /// <summary>
    /// An operation timed as a whole (<paramref name="cycles"/> of the array's time): the next operation's first loads ran
    /// among its computes, and everything it wrote in the accumulator is free at its end.
    /// </summary>
    public void Advance(double cycles)
    {
        var start = ComputeEnd;
        ComputeEnd += cycles;
        ComputeEndBefore = start;
        LoadEnd = Math.Max(LoadEnd, ComputeEnd);
        StoreEnd = Math.Max(StoreEnd, ComputeEnd);
        ranges.Clear();
        ranges.Add((0, int.MaxValue, ComputeEnd));
        LastRows = (0, int.MaxValue);
        LastStep = (ComputeEnd, 0);
    }
}
