namespace HwGen.Verif;

/// <summary>
/// Cycles split by what the execute unit did (<see cref="ExecCause"/>): the array took a row, or it sat idle for one
/// of the causes. From the harness's per-cycle profile; for a whole run the parts add up to the run's cycles.
/// </summary>
/// <param name="ArrayActive">A row (WS) or k-step (OS) entered the array: the busy cycles.</param>
/// <param name="Pipeline">Busy without feeding the array: unhidden weight preloads, pipeline fill and drain.</param>
/// <param name="Load">Waiting for operands from the load unit (DMA).</param>
/// <param name="Store">Waiting for the store unit to drain the accumulator to DRAM.</param>
/// <param name="Normalize">Waiting for the store unit's Softmax or LayerNorm.</param>
/// <param name="Fetch">Nothing to work on: instruction fetch is behind.</param>
/// <param name="Other">Anything else (completion, halt).</param>
public sealed record CycleBreakdown(long ArrayActive, long Pipeline, long Load, long Store, long Normalize, long Fetch, long Other)
{
    /// <summary>No cycles.</summary>
    public static CycleBreakdown Zero { get; } = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Every cycle.</summary>
    public long Total => ArrayActive + ArrayIdle;

    /// <summary>Cycles in which no row entered the array.</summary>
    public long ArrayIdle => Pipeline + Load + Store + Normalize + Fetch + Other;

    /// <summary>The cycles of one cause.</summary>
    public long Get(ExecCause cause) => cause switch
    {
        ExecCause.ArrayActive => ArrayActive,
        ExecCause.Pipeline => Pipeline,
        ExecCause.Load => Load,
        ExecCause.Store => Store,
        ExecCause.Normalize => Normalize,
        ExecCause.Fetch => Fetch,
        ExecCause.Other => Other,
        _ => throw new ArgumentOutOfRangeException(nameof(cause), cause, "unknown cause"),
    };

    /// <summary>From counts indexed by <see cref="ExecCause"/>.</summary>
    public static CycleBreakdown From(IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count != ExecCauses.All.Count)
        {
            throw new ArgumentException($"expected {ExecCauses.All.Count} counts, got {counts.Count}", nameof(counts));
        }

        return new CycleBreakdown(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6]);
    }

    /// <summary>The sum of two breakdowns.</summary>
    public CycleBreakdown Plus(CycleBreakdown other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new CycleBreakdown(ArrayActive + other.ArrayActive, Pipeline + other.Pipeline, Load + other.Load, Store + other.Store,
            Normalize + other.Normalize, Fetch + other.Fetch, Other + other.Other);
    }
}
