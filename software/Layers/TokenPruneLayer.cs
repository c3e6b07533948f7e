namespace HwGen.Software.Layers;

/// <summary>One layer of a token-pruned run (<see cref="TokenPruneChain"/>).</summary>
/// <param name="Layer">The layer, 1-based.</param>
/// <param name="Tokens">The tokens it ran on (positions in the input sequence or packed batch, ascending).</param>
/// <param name="Macs">Its multiply-accumulates.</param>
/// <param name="Cycles">Its program's cycles (measured on the RTL, or the performance model's).</param>
/// <param name="Y">Its output, as its program left it in DRAM (Tokens × hidden, row-major; int16 values on the per-column datapath).</param>
public sealed record TokenPruneLayer(int Layer, IReadOnlyList<int> Tokens, long Macs, long Cycles, long[] Y)
{
    /// <summary>After a pruning point: the tokens the following layers keep; otherwise <see cref="Tokens"/>.</summary>
    public IReadOnlyList<int> Kept { get; init; } = Tokens;

    /// <summary>
    /// After a pruning point: the threshold applied (given, or found for the budget; in a packed batch the lowest of the
    /// sentences' <see cref="Thresholds"/>); otherwise null.
    /// </summary>
    public double? Threshold { get; init; }

    /// <summary>After a pruning point: each packed sentence's threshold (one entry for a single sequence); otherwise empty.</summary>
    public IReadOnlyList<double> Thresholds { get; init; } = [];

    /// <summary>After a pruning point: the importance of each of <see cref="Tokens"/>; otherwise empty.</summary>
    public IReadOnlyList<double> Importance { get; init; } = [];

    /// <summary>The tokens of each packed sentence it ran on (one entry for a single sequence).</summary>
    public IReadOnlyList<int> Lengths { get; init; } = [Tokens.Count];

    /// <summary>The tokens of each packed sentence the following layers keep.</summary>
    public IReadOnlyList<int> KeptLengths { get; init; } = [Tokens.Count];

    /// <summary>Bytes the host read from DRAM after this layer (its probabilities P, heads·n·n int8 per sentence), 0 without a point.</summary>
    public long HostBytesRead { get; init; }
}
