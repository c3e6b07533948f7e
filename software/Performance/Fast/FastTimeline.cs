namespace HwGen.Software.Performance.Fast;

/// <summary>
/// The units' progress through a whole program, carried from one operation to the next (docs/explore.md, "The fast
/// estimator"): when the load unit, the array and the store unit finish their last work so far, and when each
/// accumulator range an epilogue read is free again. An operation's cycles are how far it moves the array's end, as
/// the replay attributes them (the execute unit's time from one operation's last compute to the next one's).
/// </summary>
internal sealed class FastTimeline(int loadQueueDepth, int preload, int execQueueDepth)
{
    private const int MaxRanges = 64;

    private readonly List<(int Lo, int Hi, double Freed)> ranges = [];

    private double lastComputes; // the last step's computes (0: unknown)

    private bool opStarted; // the next step is an operation's first

    // How the last two steps' computes free their operands for the step after the next (Step's releases): when they started,
    // how many there were and each one's cycles, the share of them after which the first of its loads may overwrite, and the
    // share of its loads that waits for them all.
    private (double Start, double Computes, double Each, double First, double Tail) released, releasedBefore;

    /// <summary>A timeline for design <paramref name="d"/> (its load and execute queues' depths, its array's weight preload).</summary>
    public FastTimeline(Generator.Design.DesignModel d)
        : this(Math.Max(1, d.LoadQueueDepth), 2 + d.Rows, Math.Max(1, d.ExecQueueDepth))
    {
    }

    /// <summary>
    /// Cycles the first step of the current operation (since <see cref="BeginOp"/>) added to the end of the operation
    /// before: its loads held back that operation's last computes (<see cref="Step"/>). The replay gives them to that
    /// operation.
    /// </summary>
    public double Extended { get; private set; }

    /// <summary>Computes of the last step (0: unknown).</summary>
    public double LastComputes => lastComputes;

    /// <summary>
    /// The current operation's first loads held back the last compute of the operation before until <paramref name="end"/>
    /// (as <see cref="Step"/> finds for a step's; <see cref="FastUnits"/> places them itself). Returns the array's end.
    /// </summary>
    public double HeldBack(double end)
    {
        if (end > ComputeEnd)
        {
            Follow(end);
            Extended += opStarted ? end - ComputeEnd : 0;
            ComputeEnd = end;
        }

        return ComputeEnd;
    }

    /// <summary>The next step starts an operation (<see cref="Extended"/> counts what it adds to the one before).</summary>
    public void BeginOp() => (opStarted, Extended) = (true, 0);

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

    /// <summary>
    /// The earliest cycle the next compute's stream can start because of dispatch: it follows, in program order, an
    /// epilogue with more stores than the store queue holds, so it is dispatched only once the store unit has taken all
    /// but that many of them (<c>FastGemm.StoreQueueGate</c>).
    /// </summary>
    public double ComputeGate { get; set; }

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
    /// With <paramref name="streamed"/> its computes read its loads in order: the first waits for the first <c>Lead</c>
    /// cycles of them and one of <c>Pieces</c> equal pieces of the rest, each later group of <c>PerPiece</c> computes for one
    /// piece more (a head's first score tile over its Kᵀ, key block by key block; P·V over its P chunks), so the loads
    /// stream among the computes instead of all preceding them.
    /// With <paramref name="releases"/> (First, Tail) its computes free its operands piece by piece for the step after the
    /// next, which overwrites them: each of that step's loads waits only for the compute that last read its piece, so the
    /// first goes once the First share of these computes has run and only its last Tail share of loads after all of them
    /// (by default the whole step: the scratchpad half). Dispatch is in order, and that step's loads go among the computes
    /// of the step between, so the first is dispatched only once the execute queue has taken the compute its depth before
    /// that step's first: the first loads wait for the stream of this step's compute the queue's depth and one before its last.
    /// Returns the cycle its computes start.
    /// </summary>
    public double Step(WorkTally w, bool waits, int lo, int hi, int lo2 = 0, int hi2 = 0, bool serial = false, bool activation = false,
        (double Lead, int Pieces, int PerPiece) streamed = default, (double First, double Tail) releases = default)
    {
        var (l0, e0, _) = w.SinceSegment;
        var piecewise = !serial && releasedBefore.First > 0 && releases.First > 0;
        var after = serial ? ComputeEnd : ComputeEndBefore;
        if (piecewise)
        {
            var (s0, n, each, first, _) = releasedBefore;
            after = s0 + Math.Max(first * (ComputeEndBefore - s0), Math.Max(0, n - execQueueDepth - 1) * each);
        }

        after = activation ? Math.Max(after, LastStep.Start + LastStep.First) : after;
        var loadStart = Math.Max(LoadEnd, after);
        // After an operation timed instruction by instruction (Moved): the loads LoadSpread places after its last compute
        // (all but the share of their weight ahead of it) read an activation, so the token scheduler holds them behind it.
        var (tailFrom, ahead) = activation && following.LastShare > 0 && w.LoadsAheadOfLast(following.LastShare, -1) is ({ } a and >= 0, > 0 and var cycles)
            ? (ComputeEnd + 3, a * l0 / cycles) : (double.NegativeInfinity, l0);
        LoadEnd = Math.Max(Math.Max(loadStart + l0, tailFrom + l0 - ahead), piecewise ? ComputeEndBefore + (releasedBefore.Tail * l0) : 0);
        if (following.S > 0 && Math.Max(loadStart + l0, tailFrom + l0 - ahead) > following.Start
            && w.LoadsAheadOfLast(0, loadQueueDepth) is ({ } gate and >= 0, > 0 and var gateAll))
        {
            // The loads go ahead of the epilogue in program order: it is dispatched once the load unit takes the load the
            // load queue's depth before the last.
            var g = gate * l0 / gateAll;
            Follow(Math.Max(loadStart + g, g > ahead ? tailFrom + g - ahead : 0) + 1);
        }

        // (Only when all of the loads could outlast the step before's computes.)
        var (before, all) = !serial && lastComputes > 0 && loadStart + l0 + preload + LastStep.First > ComputeEnd
            ? w.LoadsAheadOfLast(1 / lastComputes, loadQueueDepth) : (-1, 0);
        if (before >= 0 && all > 0)
        {
            // The loads go among the step before's computes (PhaseBuilder.Build), all but its last compute's share ahead of
            // that compute. When the load unit falls behind, the load queue fills and dispatch, in order, holds that
            // compute until the load unit takes the load the queue's depth before the last one ahead of it; then its
            // weights preload and it streams. The step before ends later, the total does not change.
            HeldBack(loadStart + (before * l0 / all) + preload + LastStep.First);
        }

        following = default;
        opStarted = false;
        var freed = waits ? Math.Max(FreedFor(lo, hi), hi2 > lo2 ? FreedFor(lo2, hi2) : 0) : 0;
        var computes = w.ComputesSinceSegment;
        var (start, end) = (Math.Max(Math.Max(Math.Max(ComputeEnd, LoadEnd), freed), ComputeGate), 0.0);
        if (streamed.Pieces > 0 && computes > 0)
        {
            // Piece i (each p cycles) arrives at the lead plus i + 1 pieces; compute i × PerPiece (of n, each e0 / n) waits
            // for it. The end is the later of the computes back to back and the last piece read plus the computes from its.
            var (piece, each, per) = ((l0 - streamed.Lead) / streamed.Pieces, e0 / computes, Math.Max(1, streamed.PerPiece));
            var last = Math.Min(streamed.Pieces, Math.Ceiling(computes / per)) - 1;
            start = Math.Max(Math.Max(Math.Max(ComputeEnd, loadStart + streamed.Lead + piece), freed), ComputeGate);
            end = Math.Max(start + e0, loadStart + streamed.Lead + ((last + 1) * piece) + ((computes - (last * per)) * each));
        }

        end = Math.Max(end, start + e0);
        (ComputeEndBefore, ComputeEnd) = (ComputeEnd, end);
        LastStep = (start, computes > 0 ? e0 / computes : 0);
        lastComputes = computes;
        (releasedBefore, released) = (released, (start, computes, LastStep.First, releases.First, releases.Tail));
        return start;
    }

    /// <summary>
    /// The last step's computes start <paramref name="cycles"/> later than <see cref="Step"/> placed them (their first
    /// compute preloads weights that arrive with the step's last load).
    /// </summary>
    public void Delay(double cycles)
    {
        LastStep = (LastStep.Start + cycles, LastStep.First);
        ComputeEnd += cycles;
    }

    /// <summary>
    /// Loads tallied into <paramref name="w"/> since the step that no compute of the step reads (the previous head's V among
    /// a score tile's): they follow the step's loads on the load unit and hold back the next step's, not the step's computes.
    /// </summary>
    public void Trailing(WorkTally w)
    {
        LoadEnd += w.SinceSegment.L;
        w.Timed(0);
    }

    // The last epilogue stored with `follows` (Stored): the array's end it followed, its start, its cycles, its ranges.
    // (From Moved: the latency from its end to its rows' release, the last compute's share of its phase's compute weight.)
    private (double After, double Start, double S, int Lo, int Hi, int Lo2, int Hi2, double Push, double LastShare) following;

    // The next step's loads held the last compute back to `end`: an epilogue stored with `follows` behind that compute
    // reads its rows only after it, so it (and the ranges it frees) moves with it.
    private void Follow(double end)
    {
        var f = following;
        var start = Math.Max(f.Start, end);
        if (f.S <= 0 || f.After != ComputeEnd || start <= f.Start || StoreEnd != f.Start + f.S)
        {
            return;
        }

        following = f with { Start = start };
        StoreEnd = start + f.S;
        Free(f.Lo, f.Hi, StoreEnd + f.Push);
        if (f.Hi2 > f.Lo2)
        {
            Free(f.Lo2, f.Hi2, StoreEnd + f.Push);
        }
    }

    /// <summary>
    /// The epilogue tallied into <paramref name="w"/> since the step (the store unit's work after the step's computes, in
    /// program order) has read accumulator rows [<paramref name="lo"/>, <paramref name="hi"/>) and [<paramref name="lo2"/>, <paramref name="hi2"/>).
    /// With <paramref name="follows"/> it reads the rows of the step's last compute: when the next step's loads hold that
    /// compute back (<see cref="HeldBack"/>) or, going ahead of the epilogue in program order, fill the load queue, it
    /// starts later, and so do the computes that wait for its rows (the per-head GEMM lowering of attention).
    /// </summary>
    public void Stored(WorkTally w, int lo, int hi, int lo2 = 0, int hi2 = 0, bool follows = false)
    {
        following = follows ? (ComputeEnd, Math.Max(StoreEnd, ComputeEnd), w.SinceSegment.S, lo, hi, lo2, hi2, 0, 0) : default;
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

    /// <summary>
    /// An operation timed instruction by instruction has moved the units' ends (the array's to <paramref name="compute"/>, its
    /// phase before to <paramref name="computeBefore"/>). Its last computes are not held back by the next step's loads
    /// (<see cref="Step"/>): its last phase ends with its epilogues, and applying the rule put default's bert-mini
    /// out_proj_ln1 from 0.0 to +1.9 %.
    /// </summary>
    public void Moved(double load, double computeBefore, double compute, double store, (double Start, double First) lastStep)
    {
        LastStep = lastStep;
        lastComputes = 0;
        (releasedBefore, released) = (default, default);
        opStarted = false;
        LoadEnd = Math.Max(LoadEnd, load);
        (ComputeEndBefore, ComputeEnd) = (computeBefore, compute);
        StoreEnd = Math.Max(StoreEnd, store);
        following = default;
    }

    /// <summary>
    /// After <see cref="Moved"/>: the operation's last epilogue (<paramref name="s"/> cycles of the store unit from
    /// <paramref name="start"/>, its rows free <paramref name="push"/> cycles after) reads accumulator rows
    /// <paramref name="rows"/> and <paramref name="rows2"/> after its last compute, which weighs <paramref name="lastShare"/>
    /// of its phase's computes. When the phase builder hoists the next operation's first loads into that phase, all but
    /// that share of them go between the two in program order, so the epilogue follows them (<see cref="Step"/>).
    /// </summary>
    public void LastEpilogue(double start, double s, double push, double lastShare, (int Lo, int Hi) rows, (int Lo, int Hi) rows2) =>
        following = StoreEnd == start + s ? (ComputeEnd, start, s, rows.Lo, rows.Hi, rows2.Lo, rows2.Hi, push, lastShare) : default;
}
