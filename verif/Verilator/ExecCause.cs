namespace HwGen.Verif;

/// <summary>
/// What the execute unit did in one cycle, as the harness's profiler classifies it (verif/harness/profiler.h,
/// docs/verification.md "Per-operation profile"). <see cref="ArrayActive"/> is the busy state; every other value is a
/// cause of an array-idle cycle. The order is the column order of the harness's profile file.
/// </summary>
public enum ExecCause
{
    /// <summary>A row (weight-stationary) or a k-step (output-stationary) entered the array.</summary>
    ArrayActive = 0,

    /// <summary>
    /// The execute unit is busy without feeding the array (a weight preload that the previous stream did not hide,
    /// pipeline fill and drain, an output-stationary drain), or holds an instruction it cannot start yet although its
    /// tokens are there (the previous stream's switch flag is still crossing the mesh).
    /// </summary>
    Pipeline = 1,

    /// <summary>Waiting for an LD→EX token: the load unit (its DMA) has not delivered the operands yet.</summary>
    Load = 2,

    /// <summary>Waiting for an ST→EX token while the store unit drains the accumulator to DRAM (requantize or GELU), or the final stores after the last compute.</summary>
    Store = 3,

    /// <summary>Waiting for an ST→EX token while the store unit runs a <c>normalize</c> (Softmax or LayerNorm), or the final normalize after the last compute.</summary>
    Normalize = 4,

    /// <summary>
    /// Nothing to work on because instruction fetch is behind: the execute queue is empty (or the token it waits for
    /// comes from an idle unit with an empty queue) and dispatch is not blocked by a full load or store queue. When
    /// in-order dispatch is blocked by a full load (store) queue, the cycle counts as <see cref="Load"/>
    /// (<see cref="Store"/> or <see cref="Normalize"/>) instead: that unit is what the array waits for.
    /// </summary>
    Fetch = 5,

    /// <summary>Anything else (a halted run, the completion handshake after the last instruction).</summary>
    Other = 6,
}
