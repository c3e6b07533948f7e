namespace HwGen.Software.Decode;

/// <summary>
/// The host of big-little decoding (BiLD): the small decoder drafts tokens one step at a time, the large decoder verifies
/// them in one step of (pending token + drafts) rows with logits for every row, and the host keeps a prefix of the drafts
/// and the large model's own token after it, rolling both caches back past a rejected draft.
/// </summary>
/// <remarks>
/// <para><b>Prefill.</b> The large model prefills the prompt; its choice is the first generated token c0. The small model
/// prefills the prompt without an LM head (its choice would be discarded).</para>
/// <para><b>A round</b> (n tokens accepted; the large model's cache holds all but the last, the small model's all but at most
/// the last two). Drafting: the small model runs one-token steps (two rows when it has two uncached tokens), each appending
/// its greedy draft, until it has min(k, tokens still wanted − 1) drafts or falls back: with the policies, when its top
/// probability (softmax of its int8 logits × <see cref="DecodeModel.LogitScale"/>, on the host) is below the fallback
/// threshold, that last draft is dropped; with a trace, when a line has fewer flags than the drafts wanted, the small model
/// runs one more step and its draft is dropped (the step it needed to lose confidence). Verification: the large model runs
/// ONE step over the pending token and the j drafts (j + 1 rows, causal inside the chunk, logits for every row). Row i
/// predicts the token after draft i. The host keeps drafts 1..a: with the rollback policy up to the first draft whose
/// probability under the large model (row i − 1) is below the rollback threshold (the BiLD paper's cross-entropy distance
/// −log p against a threshold); with a trace, the line's leading 1s. It appends the large model's choice of row a. When a &lt; j
/// both caches roll back (<see cref="DecodeHistory.Rollback"/>) to the n + a accepted tokens, and the correction is appended
/// to both histories; a later step overwrites the dropped rows.</para>
/// <para><b>End.</b> Generation stops when Generate tokens follow c0 (drafts are capped so no round overshoots); the last
/// rounds may therefore draft fewer than k. The optional baseline re-runs the large model's last cached token as a
/// one-token step (the cost of a token from the large model alone, at the final context; it rewrites the same cache row).</para>
/// </remarks>
public sealed class BildHost(BildSpec spec, DecodeModel small, DecodeModel large)
{
    private List<int> accepted = [];

    /// <summary>The rounds run so far.</summary>
    public List<BildRound> Rounds { get; } = [];

    /// <summary>The accepted tokens (prompt included).</summary>
    public IReadOnlyList<int> Tokens => accepted;

    /// <summary>Drafted tokens the large model kept ÷ drafted tokens.</summary>
    public double AcceptanceRate => Rounds.Sum(r => r.Drafted) is var d and > 0 ? Rounds.Sum(r => r.Accepted) / (double)d : 0;

    /// <summary>
    /// Runs the generation (and, when <paramref name="baseline"/>, the large model's one-token baseline step); false when a
    /// step failed.
    /// </summary>
    public async Task<bool> RunAsync(IDecodeRunner smallRunner, IDecodeRunner largeRunner, bool baseline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(smallRunner);
        ArgumentNullException.ThrowIfNull(largeRunner);
        var (s, l) = (smallRunner.History, largeRunner.History);
        var p = spec.Prompt;
        var target = p + 1 + spec.Generate;
        if (await largeRunner.StepAsync(l.Shape([p]), "prefill", cancellationToken).ConfigureAwait(false) is null
            || await smallRunner.StepAsync(new DecodeShape([new SequenceStep(0, 0, p, LogitRows.None) { PromptTokens = p }]), "prefill", cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }

        accepted = l.Tokens(0).ToList();
        s.Draft(0, [accepted[^1]]);
        while (accepted.Count < target)
        {
            var n = accepted.Count;
            var most = Math.Min(spec.K, target - n - 1);
            var flags = spec.Trace?.Round(Rounds.Count).Take(most).ToArray();
            var drafts = new List<int>();
            var fellBack = false;
            while (drafts.Count < most)
            {
                var logits = await smallRunner.StepAsync(s.Shape([s.Tokens(0).Count - s.Cached(0)]), "draft", cancellationToken).ConfigureAwait(false);
                if (logits is null)
                {
                    return false;
                }

                if (flags is null ? Probability(logits[^1], small.LogitScale, DecodeModel.Argmax(logits[^1])) < spec.Fallback : drafts.Count == flags.Length)
                {
                    s.Rollback(0, s.Tokens(0).Count - 1);
                    fellBack = true;
                    break;
                }

                drafts.Add(s.Tokens(0)[^1]);
            }

            l.Draft(0, drafts);
            var rows = await largeRunner.StepAsync(l.Shape([1 + drafts.Count], allLogits: true), "verify", cancellationToken).ConfigureAwait(false);
            if (rows is null)
            {
                return false;
            }

            var a = 0;
            while (a < drafts.Count && (flags is null ? Probability(rows[a], large.LogitScale, drafts[a]) >= spec.Rollback : flags[a]))
            {
                a++;
            }

            if (a < drafts.Count)
            {
                l.Rollback(0, n + a);
                l.Draft(0, [DecodeModel.Argmax(rows[a])]);
            }

            accepted = l.Tokens(0).ToList();
            s.Rollback(0, n + a);
            s.Draft(0, [accepted[^1]]);
            Rounds.Add(new BildRound(n, drafts.Count, a, fellBack, accepted.Skip(n).ToList()));
        }

        if (baseline)
        {
            var last = l.Tokens(0).Count;
            var token = l.Tokens(0)[last - 2];
            l.Rollback(0, last - 2);
            l.Draft(0, [token]);
            return await largeRunner.StepAsync(l.Shape([1]), "baseline", cancellationToken).ConfigureAwait(false) is not null;
        }

        return true;
    }

    /// <summary>
    /// The probability of <paramref name="token"/> under the softmax of int8 <paramref name="logits"/> whose unit is
    /// <paramref name="scale"/> (computed on the host, in double).
    /// </summary>
    public static double Probability(IReadOnlyList<long> logits, double scale, int token)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var max = logits.Max();
        var sum = logits.Sum(v => Math.Exp((v - max) * scale));
        return Math.Exp((logits[token] - max) * scale) / sum;
    }
}
