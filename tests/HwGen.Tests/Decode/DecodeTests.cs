using HwGen.Software.Decode;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;

namespace HwGen.Tests.Decode;

/// <summary>Text generation (software/Decode): the cache layout, decode steps against a longer prefill on the golden model, and bad parameters.</summary>
public sealed class DecodeTests
{
    private const string Short = "gpt2-small:prompt=7,generate=2,layers=1,vocab=200";

    [Fact]
    public void Every_program_of_a_generation_places_every_tensor_at_the_same_address()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var m = DecodeModel.Create(WorkloadSpec.Parse(Short));

        // Act
        var prefill = DecodeCompiler.Prefill(d, m).Program;
        var step = DecodeCompiler.Step(d, m, 1).Program;

        // Assert
        Assert.Equal(prefill.Tensors, step.Tensors);
        Assert.Equal(prefill.ProgramAddress, step.ProgramAddress);
    }

    [Fact]
    public void The_cache_is_blocked_by_column_blocks_so_a_heads_keys_and_values_are_contiguous_runs()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var m = DecodeModel.Create(WorkloadSpec.Parse(Short));

        // Act
        var p = DecodeCompiler.Prefill(d, m).Program;
        var k = DecodeHost.Region(p, "L0.Kc");
        var v = DecodeHost.Region(p, "L0.Vc");

        // Assert: Hidden / COLS blocks of Prompt + Generate rows of COLS bytes, one after the other (block j of row r at
        // row j·Context + r), so a head's 64 columns are four runs of Context·16 contiguous bytes.
        Assert.Equal(9, m.Context);
        Assert.Equal((m.Context * m.Spec.Hidden / d.Cols, d.Cols), (k.Rows, k.Cols));
        Assert.Equal(d.Cols, k.StrideBytes);
        Assert.Equal(k.StrideBytes, v.StrideBytes);
        Assert.True(v.Address >= k.Address + (k.Rows * k.StrideBytes));
    }

    [Theory]
    [InlineData(Short)]
    [InlineData(Short + ",tied=0")]
    [InlineData(Short + ",wbits=4")]
    public void A_decode_step_writes_the_cache_row_and_logits_a_prefill_of_the_longer_prompt_computes(string workload)
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var m = DecodeModel.Create(WorkloadSpec.Parse(workload));
        var steps = DecodeGolden.Run(d, m, 1);
        var chosen = steps[0].Next;
        var n = m.Prompt.Length + 1;
        var longer = m with
        {
            Prompt = [.. m.Prompt, chosen],
            Spec = m.Spec with { Seq = n },
            Layers = m.Layers.Select(q => q with { Spec = q.Spec with { Seq = n } }).ToList(),
        };

        // Act
        var prefill = DecodeGolden.Run(d, longer, 0)[0];

        // Assert: the new token's K and V rows and the logits agree bit for bit, and so do the prompt's rows.
        for (var row = 0; row < n; row++)
        {
            var (k1, v1) = DecodeHost.CacheRow(steps[1].Program, steps[1].Dram, 0, row);
            var (k2, v2) = DecodeHost.CacheRow(prefill.Program, prefill.Dram, 0, row);
            Assert.Equal(k2, k1);
            Assert.Equal(v2, v1);
        }

        Assert.Equal(prefill.Logits, steps[1].Logits);
        Assert.Contains(steps[1].Logits, l => l != steps[1].Logits[0]);
        Assert.Equal(chosen, steps[1].Input);
    }

    [Fact]
    public void An_untied_lm_head_has_its_own_weights_and_leaves_the_embedding_and_prompt_as_the_tied_model_draws_them()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var tied = DecodeModel.Create(WorkloadSpec.Parse(Short));
        var untied = DecodeModel.Create(WorkloadSpec.Parse(Short + ",tied=0"));

        // Act
        var (wt, wu) = (tied.HeadWeights(), untied.HeadWeights());
        var (lt, lu) = (DecodeGolden.Run(d, tied, 0)[0].Logits, DecodeGolden.Run(d, untied, 0)[0].Logits);

        // Assert: the same embedding and prompt; a head of the same shape but other weights, so other logits
        Assert.Null(tied.UntiedHead);
        Assert.Equal(tied.Embedding, untied.Embedding);
        Assert.Equal(tied.Prompt, untied.Prompt);
        Assert.Equal(wt.Length, wu.Length);
        Assert.True(wt.Zip(wu).Count(p => p.First != p.Second) > wt.Length / 2);
        Assert.Equal(untied.UntiedHead![(5 * untied.Spec.Hidden) + 3], wu[(3 * untied.Vocab) + 5]);
        Assert.NotEqual(lt, lu);
    }

    [Fact]
    public void The_traffic_by_kind_adds_up_to_the_golden_models_dma_counters()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var m = DecodeModel.Create(WorkloadSpec.Parse(Short));
        var step = DecodeCompiler.Step(d, m, 1).Program;

        // Act
        var golden = HwGen.Software.Golden.GoldenSimulator.Run(d, step);
        var t = DecodeTraffic.Of(step);

        // Assert: the weights are read once (every weight of the layer and the LM head), K and V up to the new row once each.
        Assert.True(golden.Ok, golden.FaultDetail);
        Assert.Equal(golden.DmaReadBytes, t.ReadBytes);
        Assert.Equal(golden.DmaWriteBytes, t.WriteBytes);
        var h = m.Spec.Hidden;
        Assert.True(t.WeightBytes >= (4L * h * h) + (2L * h * m.Spec.Ffn) + ((long)h * m.Vocab));
        Assert.Equal(2L * h * (m.Prompt.Length + 2), t.CacheReadBytes);
        Assert.Equal(2L * h, t.CacheWriteBytes);
    }

    [Theory]
    [InlineData("gpt2-small:generate=4,seq=8,prompt=8", "not both")]
    [InlineData("gpt2-small:prompt=8", "generate=N")]
    [InlineData("gpt2-small:prompt=1000,generate=100", "exceeds the context of 1024")]
    [InlineData("gpt2-small:prompt=8,generate=2,causal=0", "causal=0")]
    public void Bad_decode_parameters_are_clear_errors(string workload, string expected)
    {
        // Act
        var e = Assert.Throws<ArgumentException>(() => DecodeModel.Check(WorkloadSpec.Parse(workload)));

        // Assert
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpt2-small:prompt=0,generate=2", "out of range")]
    [InlineData("gpt2-small:prompt=8,generate=2,vocab=1", "out of range")]
    [InlineData("bert-base:prompt=8,generate=2", "unknown parameter 'prompt'")]
    [InlineData("gpt2-small:prompt=8,generate=2,layers=49", "layers=49 is out of range")]
    public void Decode_parameters_out_of_range_are_rejected_by_the_parser(string workload, string expected)
    {
        // Act
        var e = Assert.Throws<FormatException>(() => WorkloadSpec.Parse(workload));

        // Assert
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_medium_preset_decodes_with_its_own_shape()
    {
        // Act
        var (spec, prompt, generate, vocab, layers) = DecodeModel.Check(WorkloadSpec.Parse("gpt2-medium:prompt=16,generate=4"));

        // Assert
        Assert.Equal(LayerSpec.Preset("gpt2-medium", 16), spec);
        Assert.Equal((16, 4, 50257, 1), (prompt, generate, vocab, layers));
    }

    [Fact]
    public void A_long_context_step_places_its_key_loads_among_the_computes_so_no_token_counter_overflows()
    {
        // Arrange: context 1001 (the one-row QKᵀ over 63 key blocks: with every load ahead of the computes, LD->EX reaches 260)
        var d = TestConfigs.Load("default");
        var m = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=1000,generate=1,layers=1,vocab=200"));

        // Act
        var program = DecodeCompiler.Step(d, m, 0).Program;
        var tokens = HwGen.Software.Golden.TokenChecker.Check(d, program.Instructions);
        var golden = HwGen.Software.Golden.GoldenSimulator.Run(d, program);

        // Assert: the tokens fit the counters, and transposed loads of keys follow computes of the same head's QKᵀ
        Assert.True(tokens.Ok, string.Join("\n", tokens.Errors));
        Assert.True(golden.Ok, golden.FaultDetail);
        var views = program.Instructions.Select(i => new HwGen.Generator.Isa.InstructionView(i)).ToList();
        Assert.Contains(Enumerable.Range(1, views.Count - 1), i =>
            views[i].Opcode == HwGen.Generator.Isa.Opcode.Load && views[i].Target == HwGen.Generator.Isa.LoadTarget.ScratchpadTransposed
            && views[i - 1].Opcode == HwGen.Generator.Isa.Opcode.Compute);
    }
}
