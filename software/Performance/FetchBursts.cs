namespace HwGen.Software.Performance;

/// <summary>
/// Instruction fetch on the shared read channel as <see cref="PerfReplay"/> sees it (hwgen_fetch): a burst of FETCH_BURST
/// beats (fewer at the program's end) is requested once the fetch buffer has room for it (<see cref="Request"/>): the
/// beat a buffer's length before its last one has left the buffer. The arbiter passes requests in the order they come and the memory
/// answers in that order, so a burst takes the read channel after the load bursts requested before it and before those
/// requested after it: a requested burst is placed on the channel when the load unit is about to issue a later burst
/// (<see cref="ReserveUpTo"/>), or when dispatch needs its words, whichever comes first.
/// </summary>
internal sealed class FetchBursts
{
    private readonly ReadBus bus;
    private readonly int n;
    private readonly int burstWords;
    private readonly int wordsPerBeat;
    private readonly int beatsPerWord;
    private readonly int bufferBeats;
    private readonly long delay;
    private readonly long[] request;
    private readonly long[] start;
    private int requested;
    private int reserved;
    private long lastRequest = -2;
    private readonly long[] popLast;
    private int popped;
    private long loadRequest = long.MaxValue;
    private long loadLastBeat;

    /// <param name="bus">The read channel.</param>
    /// <param name="words">Instruction words of the program.</param>
    /// <param name="burstWords">Words per fetch burst.</param>
    /// <param name="wordsPerBeat">Words per beat (wide buses).</param>
    /// <param name="beatsPerWord">Beats per word (narrow buses).</param>
    /// <param name="bufferBeats">Beats the fetch buffer holds.</param>
    /// <param name="delay">Cycles from a request to its first beat at the earliest (address slice and memory latency).</param>
    public FetchBursts(ReadBus bus, int words, int burstWords, int wordsPerBeat, int beatsPerWord, int bufferBeats, long delay)
    {
        this.bus = bus;
        n = words;
        this.burstWords = burstWords;
        this.wordsPerBeat = wordsPerBeat;
        this.beatsPerWord = beatsPerWord;
        this.bufferBeats = bufferBeats;
        this.delay = delay;
        var bursts = (words + burstWords - 1) / burstWords;
        request = new long[bursts];
        start = new long[bursts];
        popLast = beatsPerWord > 1 ? new long[words] : [];
    }

    /// <summary>The earliest cycle a burst not yet on the channel was (or will be) requested.</summary>
    public long Pending => reserved < requested ? request[reserved] : lastRequest + 2;

    /// <summary>
    /// Requests every burst the buffer has room for once the first <paramref name="dispatched"/> words have been
    /// dispatched. A beat's credit returns when it leaves the buffer: on a narrow bus its beats go into the assembly
    /// register while the word two ahead of dispatch waits in decode, one beat a cycle; on a wide bus a beat leaves
    /// when its last word enters decode, as the word before it is dispatched. The request goes out the cycle after
    /// the credit returns, at most one every other cycle.
    /// </summary>
    public void Request(int dispatched, long[] dispatchTime)
    {
        while (requested < request.Length)
        {
            var first = requested * burstWords;
            var lastBeat = ((first + Math.Min(burstWords, n - first) + wordsPerBeat - 1) / wordsPerBeat * beatsPerWord) - 1;
            var gateBeat = lastBeat - bufferBeats; // this beat must have left the buffer
            long ready = 0;
            if (gateBeat >= 0)
            {
                if (beatsPerWord > 1)
                {
                    var word = gateBeat / beatsPerWord;
                    if (!Popped(word, dispatched, dispatchTime))
                    {
                        return;
                    }

                    ready = popLast[word] + 1;
                }
                else
                {
                    var gate = ((gateBeat + 1) * wordsPerBeat) - 2;
                    if (gate >= dispatched)
                    {
                        return;
                    }

                    ready = gate >= 0 ? dispatchTime[gate] + 1 : 0;
                }
            }

            lastRequest = Math.Max(lastRequest + 2, ready);
            request[requested++] = lastRequest;
        }
    }

    // Narrow bus: the cycle the last beat of each word leaves the buffer for the assembly register, which takes one beat
    // a cycle once the word before has moved on to decode (as the word two ahead is dispatched) and the beat is in.
    private bool Popped(int word, int dispatched, long[] dispatchTime)
    {
        for (; popped <= word; popped++)
        {
            var w = popped;
            if (w - 2 >= dispatched)
            {
                return false;
            }

            var t = WordArrives(w) + 1;
            if (w >= 1)
            {
                t = Math.Max(t, popLast[w - 1] + beatsPerWord);
            }

            if (w >= 2)
            {
                t = Math.Max(t, dispatchTime[w - 2] + beatsPerWord - 1);
            }

            popLast[w] = t;
        }

        return true;
    }

    /// <summary>Records a load burst placed on the channel: its request's cycle and its last beat's.</summary>
    public void LoadBurst(long requestCycle, long lastBeat)
    {
        loadRequest = requestCycle;
        loadLastBeat = lastBeat;
    }

    /// <summary>Places on the channel the requested bursts whose request comes before <paramref name="cycle"/>.</summary>
    public void ReserveUpTo(long cycle)
    {
        while (reserved < requested && request[reserved] < cycle)
        {
            Reserve();
        }
    }

    /// <summary>The cycle the last beat of word <paramref name="word"/> arrives (its burst must have been requested).</summary>
    public long WordArrives(int word)
    {
        var burst = word / burstWords;
        while (reserved <= burst)
        {
            Reserve();
        }

        return start[burst] + ((((word % burstWords) / wordsPerBeat) + 1) * beatsPerWord) - 1;
    }

    private void Reserve()
    {
        var first = reserved * burstWords;
        var words = Math.Min(burstWords, n - first);
        var beats = (long)(words + wordsPerBeat - 1) / wordsPerBeat * beatsPerWord;
        // The memory answers in request order: after the load bursts requested before this one.
        var at = request[reserved] + delay;
        if (loadRequest <= request[reserved])
        {
            at = Math.Max(at, loadLastBeat + 1);
        }

        start[reserved] = bus.Reserve(at, beats);
        reserved++;
    }
}
