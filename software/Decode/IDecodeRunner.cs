namespace HwGen.Software.Decode;

/// <summary>
/// Runs the steps of one decoder's generation (on the golden model, or co-simulated): big-little decoding drives two
/// of them, the small and the large model, each with its own image and <see cref="History"/>.
/// </summary>
public interface IDecodeRunner
{
    /// <summary>The host's tokens and cache lengths of this decoder.</summary>
    DecodeHistory History { get; }

    /// <summary>
    /// Runs one step (<paramref name="role"/> names it in reports: prefill, draft, verify, baseline) and returns its logits
    /// rows, or null when the step failed (a co-simulation mismatch): the generation stops there.
    /// </summary>
    Task<long[][]?> StepAsync(DecodeShape shape, string role, CancellationToken cancellationToken = default);
}
