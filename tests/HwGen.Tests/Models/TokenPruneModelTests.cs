using HwGen.Models;
using HwGen.Software.Layers;

namespace HwGen.Tests.Models;

/// <summary>
/// Token pruning on MiniLM's per-column datapath in packed batches (docs/pruning.md, "Token pruning on MiniLM"): the
/// golden model's chain against the untiled reference of the pruned stack, every sentence pruned on its own, and
/// thresholds found on a calibration sample.
/// </summary>
public sealed class TokenPruneModelTests : IClassFixture<EncoderLoweringTests.Fixture>
{
    private readonly EncoderLoweringTests.Fixture fixture;
    private readonly EncoderLowering columns;

    public TokenPruneModelTests(EncoderLoweringTests.Fixture fixture)
    {
        this.fixture = fixture;
        columns = new EncoderLowering(fixture.Session.Model, fixture.Calibration, ColumnOptions.Recommended);
    }

    [Fact]
    public void A_packed_per_column_batch_pruned_after_layer_2_equals_the_untiled_reference_with_each_sentence_pruned_on_its_own()
    {
        // Arrange: three sentences of different lengths packed back to back, int16 residual stream.
        var ids = fixture.Session.Tokenize(MiniLmTests.Sentences[..3]);
        var lengths = ids.Select(s => s.Length).ToArray();
        var stack = columns.Lower(ids);
        var plan = TokenPruning.Parse("2:keep=0.5", stack.Count);

        // Act
        var run = TokenPruneChain.RunGolden(fixture.Design, stack, plan);

        // Assert: each sentence keeps half of its own tokens and its own [CLS]; the gather has several runs; P of each
        // sentence is the only host read; the golden chain equals the reference on the kept rows, int16 outputs included.
        var half = lengths.Select(n => (int)Math.Round(n / 2.0, MidpointRounding.AwayFromZero)).ToArray();
        Assert.Equal(half, run[1].KeptLengths);
        Assert.Equal(half, run[5].Lengths);
        var starts = lengths.Select((n, b) => lengths.Take(b).Sum()).ToArray();
        Assert.All(starts, s => Assert.Contains(s, run[2].Tokens));
        Assert.True(TokenPruneChain.Runs(run[1].Kept).Count > 3, "the kept tokens form one run per sentence: the gather was not exercised");
        Assert.Equal(12L * lengths.Sum(n => (long)n * n), run.Sum(l => l.HostBytesRead));
        Assert.Equal(3, run[1].Thresholds.Count);
        Assert.Contains(run[5].Y, v => v is > sbyte.MaxValue or < sbyte.MinValue);
        Assert.Null(TokenPruneReference.Check(run, stack, plan));
    }

    [Fact]
    public void Without_pruning_the_chain_gives_the_single_program_batch_bit_for_bit_and_pruning_returns_only_kept_tokens()
    {
        // Arrange
        var ids = fixture.Session.Tokenize(MiniLmTests.Sentences[..2]);
        var pass = new TokenPrunePass(fixture.Design, columns);
        var whole = new AcceleratorPass(fixture.Design, columns);

        // Act
        var unpruned = pass.Run(ids, TokenPruning.Parse("1:keep=1", 6));
        var single = whole.RunGolden(whole.Compile(ids));
        var pruned = pass.Run(ids, TokenPruning.Parse("2:keep=0.5", 6));

        // Assert: keep=1 is the one-program batch; the pruned batch has fewer MACs and cycles than its unpruned chain.
        Assert.Equal(single, unpruned.Hidden);
        Assert.Equal(pruned.Layers[^1].KeptLengths.Select(n => n * 384), pruned.Hidden.Select(h => h.Length));
        Assert.True(pruned.Layers.Sum(l => l.Macs) < pruned.Unpruned.Sum(l => l.Macs));
        Assert.True(pruned.Layers.Sum(l => l.Cycles) < pruned.Unpruned.Sum(l => l.Cycles));
        Assert.Equal(pruned.Unpruned[0].Cycles, pruned.Layers[0].Cycles);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_threshold_found_on_a_calibration_sample_keeps_the_budget_of_that_sample(bool relative)
    {
        // Arrange
        var pass = new TokenPrunePass(fixture.Design, columns);
        var sample = fixture.Calibration;
        var budget = TokenPruning.Parse("2:keep=0.5", 6);

        // Act
        var found = pass.Calibrate(sample, budget, 64, relative);
        var kept = EncoderLowering.Batches(sample, 64).Sum(b => TokenPruneChain.RunGolden(fixture.Design, columns.Lower(b.Select(i => sample[i]).ToList()), found, 2)[1].Kept.Count);

        // Assert: one fixed threshold, which applied to the sample itself keeps half its tokens (round half up; ties keep more).
        var point = Assert.Single(found.Points);
        Assert.Null(point.Keep);
        Assert.Equal(relative, point.Relative);
        Assert.InRange(point.Threshold!.Value, 1e-6, relative ? 64.0 : 1.0);
        var target = (int)Math.Round(sample.Sum(s => s.Length) / 2.0, MidpointRounding.AwayFromZero);
        Assert.InRange(kept, target, target + 2);
    }

    [Fact]
    public void A_pruned_tokens_state_is_read_at_the_scale_and_smoothing_the_next_layer_reads_it_with()
    {
        // Arrange: the lowering fills each later layer's dequantized input from its predecessor's int16 output.
        var ids = fixture.Session.Tokenize(MiniLmTests.Sentences[..1]);
        var stack = columns.Lower(ids, chainInputs: true);
        var y = stack[2].Columns!.X16.Select(v => (long)v).ToArray();

        // Act
        var rows = Enumerable.Range(0, ids[0].Length).Select(r => columns.OutputRow(1, y, r)).ToList();

        // Assert
        var expected = stack[2].Dequantized.Input;
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < 384; c++)
            {
                Assert.Equal(expected[(r * 384) + c], rows[r][c], 1e-4);
            }
        }

        Assert.Contains(y, v => v != 0);
    }
}
