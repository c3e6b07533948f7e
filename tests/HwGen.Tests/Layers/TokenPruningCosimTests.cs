using HwGen.Software.Layers;
using HwGen.Software.Workloads;
using HwGen.Tests.Verif;
using HwGen.Verif;

namespace HwGen.Tests.Layers;

/// <summary>A token-pruned stack on the RTL: every layer's program bit-exact against the golden model, images carried.</summary>
[Collection(CosimGroup.Name)]
public sealed class TokenPruningCosimTests(CosimFixture fixture)
{
    [SkippableFact]
    public async Task A_token_pruned_stack_is_bit_exact_on_the_rtl_layer_by_layer_and_equals_the_untiled_reference()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var stack = LayerCompiler.Stack(WorkloadSpec.Parse("bert-tiny:seq=20,layers=3,seed=2"));
        var plan = TokenPruning.Parse("1:keep=0.6,2:keep=0.5", stack.Count);

        // Act
        var report = await TokenPruneCosim.RunAsync(session, stack, plan, new CosimOptions { MaxCycles = 20_000_000, Watchdog = 500_000 });

        // Assert: three programs matched, on 20, 12 and 6 tokens, P read twice, and the reference of the pruned stack agrees.
        Assert.True(report.Match, string.Join("; ", report.Programs.SelectMany(p => p.Problems)));
        Assert.Equal([20, 12, 6], report.Layers.Select(l => l.Tokens.Count));
        Assert.Equal((2L * 20 * 20) + (2L * 12 * 12), report.HostBytesRead);
        Assert.True(TokenPruneChain.Runs(report.Layers[0].Kept).Count > 1, "the kept tokens are a prefix: the gather was not exercised");
        Assert.True(report.Layers[2].Cycles < report.Layers[0].Cycles);
        Assert.Null(TokenPruneReference.Check(report.Layers, stack, plan));
    }
}
