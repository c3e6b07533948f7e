using HwGen.Generator.Design;
using HwGen.Software.Decode;
using HwGen.Software.Programs;

namespace HwGen.Tests.Decode;

/// <summary>Runs decode steps on the golden model or in co-simulation, for the same scenario on both.</summary>
internal interface IDecodeStepper
{
    DecodeHistory History { get; }

    Task<(long[][] Logits, CompiledProgram Program, byte[] Dram)> StepAsync(DecodeShape shape);
}

/// <summary>Steps on the golden model.</summary>
internal sealed class GoldenStepper(DesignModel d, DecodeModel m) : IDecodeStepper
{
    private readonly DecodeGoldenRun run = new(d, m);

    public DecodeHistory History => run.History;

    public Task<(long[][] Logits, CompiledProgram Program, byte[] Dram)> StepAsync(DecodeShape shape)
    {
        var s = run.Step(shape);
        return Task.FromResult((s.Logits, s.Program, s.Dram));
    }
}

/// <summary>What a speculative run and its reference left.</summary>
internal sealed record SpeculationResult(IReadOnlyList<long[]> Verify, IReadOnlyList<long[]> Steps, IReadOnlyList<int> Tokens, CompiledProgram Program, byte[] Dram);

/// <summary>
/// The k-token step with rollback: after the prefill (in chunks) and its choice c0, three drafted tokens d1..d3 are
/// appended and verified in one 4-token step (logits for every row); the host keeps d1, rolls back, appends the
/// verification's choice after d1 and decodes two more tokens (the last overwriting d3's stale cache row). The reference
/// feeds c0, d1 one token a step and decodes on.
/// </summary>
internal static class Speculation
{
    public static async Task<(SpeculationResult Spec, SpeculationResult Reference)> RunAsync(DecodeModel m, IDecodeStepper spec, IDecodeStepper reference)
    {
        var p = m.Prompt.Length;
        async Task Prefill(IDecodeStepper s)
        {
            while (s.History.Cached(0) < p)
            {
                await s.StepAsync(s.History.Next()!);
            }
        }

        await Prefill(spec);
        var c0 = spec.History.Tokens(0)[p];
        int[] drafts = [(c0 + 1) % m.Vocab, (c0 + 2) % m.Vocab, (c0 + 3) % m.Vocab];
        spec.History.Draft(0, drafts);
        var verify = (await spec.StepAsync(spec.History.Shape([4], allLogits: true))).Logits;
        spec.History.Rollback(0, p + 2);
        spec.History.Draft(0, [DecodeModel.Argmax(verify[1])]);
        var first = await spec.StepAsync(spec.History.Next()!);
        var last = await spec.StepAsync(spec.History.Next()!);
        var steps = new List<long[]> { first.Logits[0], last.Logits[0] };

        await Prefill(reference);
        var refVerify = new List<long[]> { (await reference.StepAsync(reference.History.Shape([1], allLogits: true))).Logits[0] };
        reference.History.Rollback(0, p + 1);
        reference.History.Draft(0, [drafts[0]]);
        refVerify.Add((await reference.StepAsync(reference.History.Shape([1], allLogits: true))).Logits[0]);
        var refFirst = await reference.StepAsync(reference.History.Next()!);
        var refLast = await reference.StepAsync(reference.History.Next()!);
        var refSteps = new List<long[]> { refFirst.Logits[0], refLast.Logits[0] };

        return (new SpeculationResult(verify, steps, spec.History.Tokens(0).ToList(), last.Program, last.Dram),
            new SpeculationResult(refVerify, refSteps, reference.History.Tokens(0).ToList(), refLast.Program, refLast.Dram));
    }

    public static void AssertEqual(DecodeModel m, SpeculationResult spec, SpeculationResult reference)
    {
        // The verification's first two rows are the one-token steps' logits after c0 and after d1.
        Assert.Equal(4, spec.Verify.Count);
        Assert.Equal(reference.Verify[0], spec.Verify[0]);
        Assert.Equal(reference.Verify[1], spec.Verify[1]);

        // After the rollback: the same tokens (prompt, c0, d1, the correction, two more choices), logits and cache rows.
        Assert.Equal(m.Prompt.Length + 5, spec.Tokens.Count);
        Assert.Equal(reference.Tokens, spec.Tokens);
        Assert.Equal(reference.Steps, spec.Steps);
        for (var layer = 0; layer < m.Layers.Count; layer++)
        {
            for (var row = 0; row < m.Prompt.Length + 4; row++)
            {
                Speculation.AssertSameRow(DecodeHost.CacheRow(reference.Program, reference.Dram, layer, row), DecodeHost.CacheRow(spec.Program, spec.Dram, layer, row));
            }
        }
    }

    /// <summary>Two cache rows (K and V) are equal.</summary>
    public static void AssertSameRow((long[] K, long[] V) expected, (long[] K, long[] V) actual)
    {
        Assert.Equal(expected.K, actual.K);
        Assert.Equal(expected.V, actual.V);
    }
}
