using HwGen.Software.Decode;

namespace HwGen.Verif;

/// <summary>
/// An <see cref="IDecodeRunner"/> in co-simulation (<see cref="DecodeCosim"/>: the RTL and the golden model, each carrying
/// its own image of this decoder): every step's whole image is compared; a mismatch ends the generation.
/// </summary>
public sealed class CosimDecodeRunner(CosimSession session, DecodeModel model, CosimOptions? options = null, IProgress<string>? progress = null) : IDecodeRunner
{
    /// <summary>The co-simulation.</summary>
    public DecodeCosim Run { get; } = DecodeCosim.Start(session, model, options);

    /// <inheritdoc/>
    public DecodeHistory History => Run.History;

    /// <summary>The role each step of <see cref="DecodeCosim.Steps"/> was run for.</summary>
    public List<string> Roles { get; } = [];

    /// <inheritdoc/>
    public async Task<long[][]?> StepAsync(DecodeShape shape, string role, CancellationToken cancellationToken = default)
    {
        var s = await Run.StepAsync(shape, progress, cancellationToken).ConfigureAwait(false);
        Roles.Add(role);
        return s.Cosim.Match ? s.Logits.ToArray() : null;
    }
}
