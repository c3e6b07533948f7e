using HwGen.Models;
using HwGen.Software.Layers;
using HwGen.Tests.Models;
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

    [SkippableFact]
    public async Task A_packed_per_column_batch_of_an_imported_model_is_token_pruned_bit_exact_on_the_rtl()
    {
        // Arrange: a small post-LN encoder from ONNX on the per-column datapath (int16 residual stream), three sentences
        // packed back to back, each pruned to half its tokens after layer 1 by its own attention.
        RequiresVerilator.Check();
        var dir = Directory.CreateTempSubdirectory("hwgen-tokprune-").FullName;
        try
        {
            var path = Path.Combine(dir, "m.onnx");
            SyntheticBert.Write(path, SyntheticBert.Build(new BertSpelling(false, false, false, false, -10000f, false, 13), seed: 4));
            var model = EncoderImporter.Import(path).Model;
            int[][] sentences = [[1, 4, 9, 16, 25, 36, 49, 64, 2], [1, 7, 14, 21, 28, 2], [1, 50, 40, 30, 20, 10, 5, 2]];
            var stack = new EncoderLowering(model, sentences, ColumnOptions.Recommended).Lower(sentences);
            var plan = TokenPruning.Parse("1:keep=0.5", stack.Count);

            // Act
            var report = await TokenPruneCosim.RunAsync(fixture.Session("small"), stack, plan, new CosimOptions { MaxCycles = 20_000_000, Watchdog = 500_000 });

            // Assert: both programs matched; layer 2 ran 5 + 3 + 4 tokens, each sentence's [CLS] among them; the reference agrees.
            Assert.True(report.Match, string.Join("; ", report.Programs.SelectMany(p => p.Problems)));
            Assert.Equal([5, 3, 4], report.Layers[1].Lengths);
            Assert.Equal([0, 9, 15], report.Layers[1].Tokens.Where(t => t is 0 or 9 or 15));
            Assert.True(TokenPruneChain.Runs(report.Layers[0].Kept).Count > 3, "one run per sentence: the gather was not exercised");
            Assert.Null(TokenPruneReference.Check(report.Layers, stack, plan));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
