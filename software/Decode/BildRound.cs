namespace HwGen.Software.Decode;

/// <summary>One round of big-little decoding: the small model's drafts and the large model's verification of them.</summary>
/// <param name="Context">Tokens accepted before the round (prompt included).</param>
/// <param name="Drafted">Tokens the small model drafted (at most k).</param>
/// <param name="Accepted">Drafted tokens the large model kept (a prefix of them).</param>
/// <param name="FellBack">True when drafting stopped before k by the fallback policy (or a trace line shorter than k).</param>
/// <param name="Tokens">The tokens the round appended: the kept drafts and the large model's own token after them.</param>
public sealed record BildRound(int Context, int Drafted, int Accepted, bool FellBack, IReadOnlyList<int> Tokens)
{
    /// <summary>True when the large model rejected a drafted token (both caches rolled back).</summary>
    public bool RolledBack => Accepted < Drafted;
}
