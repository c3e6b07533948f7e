using HwGen.Generator.Design;

namespace HwGen.Software.Decode;

/// <summary>An <see cref="IDecodeRunner"/> on the golden model alone (<see cref="DecodeGoldenRun"/>), keeping each step and its role.</summary>
public sealed class GoldenDecodeRunner(DesignModel design, DecodeModel model) : IDecodeRunner
{
    private readonly DecodeGoldenRun run = new(design, model);

    /// <inheritdoc/>
    public DecodeHistory History => run.History;

    /// <summary>The steps run, with the role each was run for.</summary>
    public List<(string Role, DecodeGoldenStep Step)> Steps { get; } = [];

    /// <inheritdoc/>
    public Task<long[][]?> StepAsync(DecodeShape shape, string role, CancellationToken cancellationToken = default)
    {
        var s = run.Step(shape);
        Steps.Add((role, s));
        return Task.FromResult<long[][]?>(s.Logits);
    }
}
