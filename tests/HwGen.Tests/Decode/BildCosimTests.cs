using System.Globalization;
using HwGen.Software.Decode;
using HwGen.Tests.Verif;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Decode;

/// <summary>Big-little decoding on the RTL: both decoders co-simulated step by step, each carrying its own image.</summary>
[Collection(CosimGroup.Name)]
public sealed class BildCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private static readonly CosimOptions Bounded = new() { MaxCycles = 50_000_000, Watchdog = 500_000 };

    [SkippableFact]
    public async Task A_big_little_run_with_a_rollback_and_a_full_acceptance_is_bit_exact_and_leaves_the_caches_of_the_kept_tokens()
    {
        // Arrange: 1 small and 2 large gpt2-small layers, vocab 96, k = 2; the trace rejects the 2nd draft of round 1, keeps all of round 2.
        RequiresVerilator.Check();
        var session = fixture.Session("default");
        var d = session.Design;
        var trace = BildCheck.WriteTrace();
        var spec = BildSpec.Parse(BildCheck.Workload(trace));
        File.Delete(trace);
        var (small, large) = spec.CreateModels();
        var (s, l) = (new CosimDecodeRunner(session, small, Bounded), new CosimDecodeRunner(session, large, Bounded));
        var host = new BildHost(spec, small, large);

        // Act
        var done = await host.RunAsync(s, l, baseline: true);

        // Assert: every program of both decoders bit-exact (whole image), the rounds the trace forces.
        foreach (var (run, roles, name) in new[] { (s.Run, s.Roles, "small"), (l.Run, l.Roles, "large") })
        {
            for (var i = 0; i < run.Steps.Count; i++)
            {
                var x = run.Steps[i];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} {roles[i]} {x.Shape}: {x.Cycles} cycles, fed {string.Join(' ', x.Fed)} -> {string.Join(' ', x.Chosen)}"));
                Assert.True(x.Cosim.Match, $"{name} {x.Shape}: " + string.Join("; ", x.Cosim.Problems));
            }
        }

        Assert.True(done);
        BildCheck.AssertRounds(host);
        Assert.Equal(["prefill", "verify", "verify", "baseline"], l.Roles);
        Assert.Equal(["s0@0+5", "s0@5+3!", "s0@7+3!", "s0@9+1"], l.Run.Steps.Select(x => x.Shape!.ToString()));
        Assert.Equal(5, s.Run.Steps.Count);

        // The verification writes 3 K and 3 V rows per layer and reads the cache up to its last row for QKᵀ and P·V.
        var h = large.Spec.Hidden;
        Assert.Equal(2L * 3 * 2 * h, l.Run.Steps[1].Traffic.CacheWriteBytes);
        Assert.Equal(2L * 2 * h * 8, l.Run.Steps[1].Traffic.CacheReadBytes);

        // Both caches, and the kept verification rows, equal a golden generation fed the accepted tokens one a step.
        var lp = DecodeCompiler.Compile(d, large, l.Run.Steps[^1].Shape!).Program;
        BildCheck.AssertAsIfFedOneByOne(d, large, host.Tokens, 10, lp, l.Run.GoldenDram!,
            l.Run.Steps.Where((_, i) => l.Roles[i] == "verify").Select(x => (x.Shape!.Sequences[0].Start, x.Fed, x.Logits)), 5);
        var sp = DecodeCompiler.Compile(d, small, s.Run.Steps[^1].Shape!).Program;
        BildCheck.AssertAsIfFedOneByOne(d, small, host.Tokens, 9, sp, s.Run.GoldenDram!, [], 0);
    }
}
