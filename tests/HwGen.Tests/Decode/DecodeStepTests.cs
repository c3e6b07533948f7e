using HwGen.Software.Decode;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;

namespace HwGen.Tests.Decode;

/// <summary>k-token steps, rollback and batched decode on the golden model: each equals the plain one-token generation bit for bit.</summary>
public sealed class DecodeStepTests
{
    [Fact]
    public void A_prefill_in_chunks_leaves_the_cache_rows_tokens_and_logits_of_the_whole_prefill()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var whole = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=7,generate=2,layers=1,vocab=200"));
        var chunked = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=7,generate=2,layers=1,vocab=200,chunk=3"));

        // Act
        var a = new DecodeGoldenRun(d, whole);
        var sa = a.RunAll();
        var b = new DecodeGoldenRun(d, chunked);
        var sb = b.RunAll();

        // Assert: 3 + 3 + 1 prompt tokens, then the same two decode steps; the same tokens, logits and cache rows.
        Assert.Equal(["s0@0+3", "s0@3+3", "s0@6+1", "s0@7+1", "s0@8+1"], sb.Select(s => s.Shape.ToString()));
        Assert.Equal(a.History.Tokens(0), b.History.Tokens(0));
        Assert.Equal(10, b.History.Tokens(0).Count);
        Assert.Equal(sa[^1].Logits[0], sb[^1].Logits[0]);
        Assert.Equal(sa[0].Logits[0], sb[2].Logits[0]);
        for (var row = 0; row < whole.Context; row++)
        {
            Speculation.AssertSameRow(DecodeHost.CacheRow(sa[^1].Program, sa[^1].Dram, 0, row), DecodeHost.CacheRow(sb[^1].Program, sb[^1].Dram, 0, row));
        }
    }

    [Fact]
    public async Task A_verified_draft_rolled_back_equals_a_generation_that_never_saw_the_dropped_tokens()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var m = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=5,generate=6,layers=1,vocab=200,chunk=4"));

        // Act
        var (spec, reference) = await Speculation.RunAsync(m, new GoldenStepper(d, m), new GoldenStepper(d, m));

        // Assert
        Speculation.AssertEqual(m, spec, reference);
    }

    [Fact]
    public void A_batch_with_unequal_prompts_gives_each_sequence_the_tokens_and_logits_it_gets_alone()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var m = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=3/6/4,generate=2,layers=1,vocab=200"));

        // Act
        var batched = new DecodeGoldenRun(d, m);
        var steps = batched.RunAll();

        // Assert: one prefill step of 3 + 6 + 4 rows, then two steps of one row per sequence.
        Assert.Equal(["s0@0+3,s1@0+6,s2@0+4", "s0@3+1,s1@6+1,s2@4+1", "s0@4+1,s1@7+1,s2@5+1"], steps.Select(s => s.Shape.ToString()));
        Assert.Equal(3, m.Batch);
        Assert.Equal(8, m.Context);
        for (var b = 0; b < m.Batch; b++)
        {
            var alone = m with { BatchPrompts = null, Prompt = m.Prompts[b], Chunk = m.Prompts[b].Length };
            var run = new DecodeGoldenRun(d, alone);
            var single = run.RunAll();
            Assert.Equal(run.History.Tokens(0), batched.History.Tokens(b));
            for (var j = 0; j < steps.Count; j++)
            {
                Assert.Equal(single[j].Logits[0], steps[j].Logits[b]);
            }

            var last = run.History.Cached(0);
            for (var row = 0; row < last; row++)
            {
                Speculation.AssertSameRow(DecodeHost.CacheRow(single[^1].Program, single[^1].Dram, 0, row), DecodeHost.CacheRow(m, steps[^1].Program, steps[^1].Dram, 0, b, row));
            }
        }

        Assert.Contains(steps[^1].Chosen, c => c != steps[^1].Chosen[0]);
    }

    [Fact]
    public void Steps_that_do_not_fit_the_generation_are_clear_errors()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var m = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=5,generate=2,layers=1,vocab=200,chunk=2"));
        var whole = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=5,generate=2,layers=1,vocab=200"));
        var h = new DecodeHistory(m);

        // Act
        var rows = Assert.Throws<ArgumentException>(() => DecodeCompiler.Compile(d, m, new DecodeShape([new SequenceStep(0, 0, 3, LogitRows.Last)])));
        var past = Assert.Throws<ArgumentException>(() => DecodeCompiler.Compile(d, m, new DecodeShape([new SequenceStep(0, 6, 2, LogitRows.Last)])));
        var kstep = Assert.Throws<ArgumentException>(() => DecodeCompiler.Compile(d, whole, new DecodeShape([new SequenceStep(0, 5, 2, LogitRows.All)])));
        var rollback = Assert.Throws<ArgumentException>(() => h.Rollback(0, 0));
        var uncached = Assert.Throws<ArgumentException>(() => h.Shape([6]));
        var token = Assert.Throws<ArgumentException>(() => h.Draft(0, [200]));

        // Assert
        Assert.Contains("has 3 token rows, more than the 2 a step of this generation holds", rows.Message, StringComparison.Ordinal);
        Assert.Contains("writes cache row 7 of sequence 0, past its 7 rows", past.Message, StringComparison.Ordinal);
        Assert.Contains("needs chunk=", kstep.Message, StringComparison.Ordinal);
        Assert.Contains("keep 1..5", rollback.Message, StringComparison.Ordinal);
        Assert.Contains("has 5 uncached tokens, not 6", uncached.Message, StringComparison.Ordinal);
        Assert.Contains("drafted token 200 is not in 0..199", token.Message, StringComparison.Ordinal);
    }
}
