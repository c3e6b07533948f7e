using HwGen.Software.Layers;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;

namespace HwGen.Tests.Layers;

/// <summary>Learned-threshold token pruning (docs/pruning.md) on the golden model, against the untiled reference of the pruned stack.</summary>
public sealed class TokenPruningTests
{
    [Fact]
    public void A_half_token_budget_after_layer_2_runs_on_the_golden_model_as_the_integer_reference_on_the_kept_rows()
    {
        // Arrange
        var d = TestConfigs.Load("small");
        var stack = LayerCompiler.Stack(WorkloadSpec.Parse("bert-tiny:seq=24,layers=4"));
        var plan = TokenPruning.Parse("2:keep=0.5", stack.Count);

        // Act
        var run = TokenPruneChain.RunGolden(d, stack, plan);

        // Assert: layers 3 and 4 run on 12 tokens, [CLS] among them, gathered from more than one run of rows.
        Assert.Equal([24, 24, 12, 12], run.Select(l => l.Tokens.Count));
        Assert.Contains(0, run[2].Tokens);
        Assert.True(TokenPruneChain.Runs(run[1].Kept).Count > 1, "the kept tokens are a prefix: the gather was not exercised");
        Assert.Equal(2L * 24 * 24, run.Sum(l => l.HostBytesRead));
        Assert.True(run[2].Macs < run[1].Macs / 2 + 1);
        Assert.Null(TokenPruneReference.Check(run, stack, plan));
    }

    [Fact]
    public void An_explicit_threshold_keeps_the_tokens_at_or_above_it_and_a_second_point_prunes_again()
    {
        // Arrange: the threshold is the median importance of layer 1 (from the integer reference), then a budget after layer 2.
        var d = TestConfigs.Load("small");
        var stack = LayerCompiler.Stack(WorkloadSpec.Parse("bert-tiny:seq=20,layers=3,seed=5"));
        var importance = TokenPruning.Importance(IntLayerReference.Run(stack[0]).P.Select(v => (long)v).ToArray(), stack[0].Spec.Heads, 20);
        var median = importance.Order().ElementAt(10);
        var plan = TokenPruning.Parse(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"1:threshold={median:R},2:keep=0.5"), stack.Count);

        // Act
        var run = TokenPruneChain.RunGolden(d, stack, plan);

        // Assert: layer 2 runs on [CLS] and the tokens at or above the median; layer 3 on half of those; the reference agrees.
        Assert.Equal(Enumerable.Range(0, 20).Where(j => j == 0 || importance[j] >= median), run[1].Tokens);
        Assert.Equal((int)Math.Round(run[1].Tokens.Count / 2.0, MidpointRounding.AwayFromZero), run[2].Tokens.Count);
        Assert.Equal(median, run[0].Threshold);
        Assert.Null(TokenPruneReference.Check(run, stack, plan));
    }

    [Fact]
    public void The_unpruned_chain_equals_the_single_program_stack()
    {
        // Arrange
        var d = TestConfigs.Load("small");
        var stack = LayerCompiler.Stack(WorkloadSpec.Parse("bert-tiny:seq=16,layers=2"));

        // Act
        var run = TokenPruneChain.RunGolden(d, stack, TokenPruning.None);

        // Assert
        Assert.Equal(IntLayerReference.Run(stack[1]).Y.Select(v => (long)v), run[1].Y);
    }

    [Theory]
    [InlineData("2:keep=-0.5", "keep is negative")]
    [InlineData("2:keep=1.5", "keep is more than 1")]
    [InlineData("2:threshold=-0.1", "threshold is negative")]
    [InlineData("2:threshold=2", "threshold is more than 1")]
    [InlineData("4:keep=0.5", "layer 4 is out of range 1..3")]
    [InlineData("0:keep=0.5", "layer 0 is out of range 1..3")]
    [InlineData("2:keep=0", "keep=0 would prune [CLS]")]
    [InlineData("2:keep=0.5,2:threshold=0.1", "layer 2 is given twice")]
    [InlineData("2:drop=0.5", "'drop' is neither keep nor threshold")]
    [InlineData("2-0.5", "is not LAYER:keep=F")]
    public void Bad_thresholds_and_budgets_are_one_line_errors(string text, string message)
    {
        // Act
        var e = Assert.Throws<FormatException>(() => TokenPruning.Parse(text, 4));

        // Assert
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Token_pruning_of_a_single_layer_is_refused()
    {
        // Act
        var e = Assert.Throws<FormatException>(() => TokenPruning.Parse("1:keep=0.5", 1));

        // Assert
        Assert.Contains("at least 2 layers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_budget_keeps_cls_and_the_most_important_tokens()
    {
        // Arrange: token 0 has the least importance and must stay anyway.
        double[] importance = [0.01, 0.5, 0.1, 0.3, 0.09];

        // Act
        var (kept, threshold) = TokenPruning.Select(new TokenPrunePoint(1, 0.6, null), importance);

        // Assert
        Assert.Equal([0, 1, 3], kept);
        Assert.Equal(0.3, threshold);
    }

    [Fact]
    public void A_relative_threshold_compares_n_times_the_importance_so_it_means_the_same_at_every_length()
    {
        // Arrange: 4 tokens (mean importance 0.25) and 8 tokens (mean 0.125), each with one token at twice the mean.
        var plan = TokenPruning.Parse("1:relative=1.5", 2);
        double[] four = [0.1, 0.5, 0.2, 0.2];
        double[] eight = [0.1, 0.25, 0.1, 0.1, 0.1, 0.15, 0.1, 0.1];

        // Act
        var (keptFour, _) = TokenPruning.Select(plan.Points[0], four);
        var (keptEight, _) = TokenPruning.Select(plan.Points[0], eight);

        // Assert: the token at twice the mean is kept at both lengths, with [CLS]; relative values above 1 parse.
        Assert.Equal([0, 1], keptFour);
        Assert.Equal([0, 1], keptEight);
        Assert.True(plan.Points[0].Relative);
        Assert.Equal("1:relative=1.5", plan.ToString());
        Assert.Contains("relative is negative", Assert.Throws<FormatException>(() => TokenPruning.Parse("1:relative=-1", 2)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Packed_sequences_are_selected_each_from_its_own_probabilities_with_its_own_first_token()
    {
        // Arrange: two sequences of 3 and 2 tokens, one head; P rows are one-hot on the token each query attends to (127 = 1.0).
        long[] first = [0, 127, 0, 0, 127, 0, 0, 0, 127];
        long[] second = [127, 0, 127, 0];
        var point = TokenPruning.Parse("1:keep=0.5", 2).Points[0];

        // Act
        var (rows, lengths, thresholds, importance) = TokenPruning.SelectPacked(point, [first, second], 1, [3, 2]);

        // Assert: the first keeps [CLS] and its best other token (1); the second keeps only its [CLS] (row 3 of the batch).
        Assert.Equal([0, 1, 3], rows);
        Assert.Equal([2, 1], lengths);
        Assert.Equal(2, thresholds.Length);
        Assert.Equal(5, importance.Length);
    }
}
