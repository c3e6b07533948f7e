using HwGen.Software.Decode;
using HwGen.Tests.Software;

namespace HwGen.Tests.Decode;

/// <summary>Big-little decoding on the golden model: the acceptance trace, the workload's checks, the rounds and rollbacks.</summary>
public sealed class BildTests
{
    [Fact]
    public void An_acceptance_trace_parses_flags_comments_and_no_draft_lines()
    {
        // Act
        var trace = AcceptanceTrace.Parse("# header\n1110\n\n1 1 1 1  # spaced\n-\r\n11\n", 4);

        // Assert
        Assert.Equal(4, trace.Lines.Count);
        Assert.Equal([true, true, true, false], trace.Lines[0]);
        Assert.Equal([true, true, true, true], trace.Lines[1]);
        Assert.Empty(trace.Lines[2]);
        Assert.Equal(trace.Lines[0], trace.Round(4));
        Assert.Equal(9 / 10.0, trace.AcceptanceRate, 9);
    }

    [Theory]
    [InlineData("11\n1x1\n", "line 2: '1x1' is not a flag per drafted token")]
    [InlineData("101\n", "line 1: '101' has flags after the first rejected token")]
    [InlineData("11111\n", "line 1: '11111' has 5 drafted tokens, more than k=4")]
    [InlineData("# only a comment\n\n", "no verification lines")]
    [InlineData("00\n", "'00' has flags after the first rejected token")]
    public void A_garbled_acceptance_trace_is_one_clear_error(string text, string expected)
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => AcceptanceTrace.Parse(text, 4, "accept=t.txt"));

        // Assert
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("accept=t.txt", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void A_missing_trace_file_is_named()
    {
        // Act
        var ex = Assert.Throws<ArgumentException>(() => BildSpec.Parse("bild:small=gpt2-small,large=gpt2-medium,k=4,generate=8,accept=/nonexistent/trace.txt"));

        // Assert
        Assert.Contains("accept=/nonexistent/trace.txt: cannot read the acceptance trace", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_workload_gives_both_decoders_the_same_prompt_and_vocabulary_and_room_for_a_verification()
    {
        // Act
        var spec = BildSpec.Parse("bild:small=gpt2-small,large=gpt2-medium,k=4,generate=6,prompt=3,layers=1/2,vocab=50,fallback=0.4,rollback=0.2");
        var (small, large) = spec.CreateModels();

        // Assert
        Assert.Equal((1, 2, 0.4, 0.2), (small.Layers.Count, large.Layers.Count, spec.Fallback, spec.Rollback));
        Assert.Equal(large.Prompt, small.Prompt);
        Assert.Equal((50, 50), (small.Vocab, large.Vocab));
        Assert.Equal((768, 1024), (small.Spec.Hidden, large.Spec.Hidden));
        Assert.Equal((9, 9), (small.Context, large.Context));
        Assert.Equal(5, large.StepRows);
        Assert.NotEqual(small.Embedding.Take(64), large.Embedding.Take(64));
    }

    [Fact]
    public async Task A_trace_driven_run_rolls_back_and_accepts_and_leaves_the_caches_of_a_generation_fed_the_kept_tokens()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var trace = BildCheck.WriteTrace();
        var spec = BildSpec.Parse(BildCheck.Workload(trace));
        var (small, large) = spec.CreateModels();
        var (s, l) = (new GoldenDecodeRunner(d, small), new GoldenDecodeRunner(d, large));
        var host = new BildHost(spec, small, large);

        // Act
        var done = await host.RunAsync(s, l, baseline: true);

        // Assert: the rounds the trace forces; the steps: prefills, draft steps of one row, verifications of 3 rows, the baseline.
        Assert.True(done);
        BildCheck.AssertRounds(host);
        Assert.Equal(["prefill", "draft", "draft", "draft", "draft"], s.Steps.Select(x => x.Role));
        Assert.Equal(["s0@0+5", "s0@5+1", "s0@6+1", "s0@7+1", "s0@8+1"], s.Steps.Select(x => x.Step.Shape.ToString()));
        Assert.Equal(["prefill", "verify", "verify", "baseline"], l.Steps.Select(x => x.Role));
        Assert.Equal(["s0@0+5", "s0@5+3!", "s0@7+3!", "s0@9+1"], l.Steps.Select(x => x.Step.Shape.ToString()));

        // The rejected draft is replaced by the large model's choice after the kept one (with synthetic weights it may be the same token).
        var verify = l.Steps[1].Step;
        Assert.Equal(DecodeModel.Argmax(verify.Logits[1]), host.Tokens[7]);
        Assert.Equal(verify.Fed[1], host.Tokens[6]);

        // Both caches and the kept verification rows equal generations fed the accepted tokens one a step.
        var last = l.Steps[^1].Step;
        BildCheck.AssertAsIfFedOneByOne(d, large, host.Tokens, 10, last.Program, last.Dram,
            l.Steps.Where(x => x.Role == "verify").Select(x => (x.Step.Shape.Sequences[0].Start, (IReadOnlyList<int>)x.Step.Fed, (IReadOnlyList<long[]>)x.Step.Logits)), 5);
        BildCheck.AssertAsIfFedOneByOne(d, small, host.Tokens, 9, s.Steps[^1].Step.Program, s.Steps[^1].Step.Dram, [], 0);
        File.Delete(trace);
    }

    [Fact]
    public async Task The_policies_keep_a_prefix_of_drafts_by_the_large_models_probabilities_and_stop_drafting_on_low_confidence()
    {
        // Arrange: a rollback threshold no drafted token of unrelated synthetic models reaches, unless both models agree.
        var d = TestConfigs.Load("default");
        var spec = BildSpec.Parse("bild:small=gpt2-small,large=gpt2-small,k=2,generate=4,prompt=4,layers=1,vocab=64,seed=5,fallback=0.2,rollback=0.5");
        var (small, large) = spec.CreateModels();
        var (s, l) = (new GoldenDecodeRunner(d, small), new GoldenDecodeRunner(d, large));
        var host = new BildHost(spec, small, large);

        // Act
        Assert.True(await host.RunAsync(s, l, baseline: false));

        // Assert: every round kept exactly the drafts whose probability under the large model reached the threshold.
        Assert.Equal(4 + 1 + 4, host.Tokens.Count);
        var verifies = l.Steps.Where(x => x.Role == "verify").Select(x => x.Step).ToList();
        Assert.Equal(host.Rounds.Count, verifies.Count);
        for (var r = 0; r < host.Rounds.Count; r++)
        {
            var (round, v) = (host.Rounds[r], verifies[r]);
            Assert.Equal(round.Drafted + 1, v.Fed.Length);
            for (var i = 0; i < round.Drafted; i++)
            {
                var p = BildHost.Probability(v.Logits[i], large.LogitScale, v.Fed[i + 1]);
                Assert.Equal(i < round.Accepted, p >= spec.Rollback);
                if (p < spec.Rollback)
                {
                    break;
                }
            }
        }

        // A draft step whose top probability fell below the fallback threshold ended its round's drafting.
        var drafts = s.Steps.Where(x => x.Role == "draft").Select(x => BildHost.Probability(x.Step.Logits[^1], small.LogitScale, DecodeModel.Argmax(x.Step.Logits[^1]))).ToList();
        Assert.Equal(host.Rounds.Sum(r => r.Drafted + (r.FellBack ? 1 : 0)), drafts.Count);
        Assert.All(drafts, p => Assert.InRange(p, 0.0, 1.0));
    }
}
