using HwGen.Generator.Design;
using HwGen.Models;
using HwGen.Software.Layers;

namespace HwGen.Tests.Models;

/// <summary>
/// MiniLM lowered onto the accelerator's layer stack: the compiled program on the golden model equals the untiled
/// integer reference bit for bit, and its embeddings stay close to ONNX Runtime's; shapes the layer type cannot hold
/// are refused with the reason.
/// </summary>
public sealed class EncoderLoweringTests : IClassFixture<EncoderLoweringTests.Fixture>
{
    private static readonly string[] Sentences = MiniLmTests.Sentences;

    private readonly Fixture fixture;

    public EncoderLoweringTests(Fixture fixture) => this.fixture = fixture;

    [Fact]
    public void Each_layer_reads_its_input_at_the_scale_its_predecessor_wrote()
    {
        var scales = fixture.Lowering.Scales;
        Assert.Equal(6, scales.Count);
        for (var i = 1; i < scales.Count; i++)
        {
            Assert.Equal(scales[i - 1].Y, scales[i].X);
        }

        Assert.All(scales, s => Assert.True(s.X > 0 && s.Q > 0 && s.H > 0 && s.Y > 0));
    }

    [Fact]
    public void A_packed_batch_on_the_golden_model_equals_the_integer_reference_and_each_sentence_alone()
    {
        // Arrange: three sentences of different lengths packed back to back.
        var ids = fixture.Session.Tokenize(Sentences[..3]);
        var pass = new AcceleratorPass(fixture.Design, fixture.Lowering);

        // Act
        var batch = pass.Compile(ids, chainInputs: true);
        var hidden = pass.RunGolden(batch);
        var reference = IntLayerReference.Run(batch.Layers[^1]).Y;
        var alone = pass.Forward(ids[1]);

        // Assert: bit-exact against the untiled reference, and attention never mixes sentences.
        Assert.Equal(ids.Select(s => s.Length).ToArray(), batch.Layers[0].Spec.Segments);
        var expected = fixture.Lowering.HiddenStates(reference.Select(v => (long)v).ToArray(), ids.Select(s => s.Length).ToArray());
        Assert.Equal(expected, hidden);
        Assert.Equal(alone, hidden[1]);
    }

    [Fact]
    public void Sentences_pack_in_order_into_batches_of_at_most_the_token_budget()
    {
        int[][] sentences = [new int[50], new int[60], new int[30], new int[200], new int[10]];
        var batches = EncoderLowering.Batches(sentences, 128);
        Assert.Equal([[0, 1], [2], [3], [4]], batches.Select(b => b.ToArray()).ToArray());
    }

    [Fact]
    public void Embeddings_on_the_golden_model_stay_close_to_onnx_runtime()
    {
        // Arrange
        var pass = new AcceleratorPass(fixture.Design, fixture.Lowering);

        // Act
        var results = fixture.Session.Evaluate(Sentences, new FloatEncoder(fixture.Session.Model), pass.Forward, Pooling.Mean);

        // Assert: int8 everywhere with one scale per tensor (docs/numerics.md, "Real models on the accelerator").
        Assert.All(results, r => Assert.True(r.QuantCosine > 0.85, $"cosine {r.QuantCosine} for \"{r.Text}\""));
        Assert.All(results, r => Assert.True(r.QuantCosine < 0.9999, "an int8 datapath cannot reproduce float exactly; the test would not notice a float shortcut"));
    }

    [Fact]
    public void The_per_column_datapath_is_closer_to_onnx_runtime_than_the_per_tensor_one_on_every_sentence()
    {
        // Arrange: 16-bit residual stream, per-channel Wo/W1/W2, SmoothQuant, GELU columns with a zero point.
        var columns = new EncoderLowering(fixture.Session.Model, fixture.Calibration, ColumnOptions.Recommended);

        // Act: the untiled integer reference (what the golden model and the RTL compute).
        var wide = fixture.Session.Evaluate(Sentences, new FloatEncoder(fixture.Session.Model), ids => columns.ReferenceHiddenStates([ids])[0], Pooling.Mean);
        var narrow = fixture.Session.Evaluate(Sentences, new FloatEncoder(fixture.Session.Model), ids => fixture.Lowering.ReferenceHiddenStates([ids])[0], Pooling.Mean);

        // Assert
        Assert.All(wide.Zip(narrow), p => Assert.True(p.First.QuantCosine > p.Second.QuantCosine, $"per column {p.First.QuantCosine} vs per tensor {p.Second.QuantCosine} for \"{p.First.Text}\""));
        Assert.All(wide, r => Assert.True(r.QuantCosine is > 0.98 and < 0.9999, $"cosine {r.QuantCosine} for \"{r.Text}\""));
    }

    [Fact]
    public void A_per_column_batch_on_the_golden_model_equals_the_integer_reference_tensor_for_tensor()
    {
        // Arrange: two sentences packed back to back on the per-column datapath.
        var columns = new EncoderLowering(fixture.Session.Model, fixture.Calibration, ColumnOptions.Recommended);
        var pass = new AcceleratorPass(fixture.Design, columns);
        var ids = fixture.Session.Tokenize(Sentences[..2]);

        // Act
        var batch = pass.Compile(ids, chainInputs: true);
        var golden = HwGen.Software.Golden.GoldenSimulator.Run(fixture.Design, batch.Compiled.Program);
        var tokens = HwGen.Software.Golden.TokenChecker.Check(fixture.Design, batch.Compiled.Program.Instructions);

        // Assert: every tensor of every layer, including the int16 LayerNorm outputs, bit for bit, and no token hazard.
        Assert.True(golden.Ok, golden.FaultDetail);
        Assert.True(tokens.Ok, string.Join("\n", tokens.Errors));
        var tensors = batch.Compiled.Program.Tensors;
        Assert.Contains(tensors, t => t.Dtype == HwGen.Software.Programs.ElementType.Int16);
        for (var i = 0; i < batch.Layers.Count; i++)
        {
            foreach (var (name, values) in IntLayerReference.Run(batch.Layers[i]).Tensors())
            {
                var actual = tensors.Single(t => t.Name == $"L{i}.{name}").Read(golden.Dram);
                Assert.True(values.SequenceEqual(actual), $"L{i}.{name} differs from the integer reference");
            }
        }
    }

    [Fact]
    public void The_per_column_layers_chain_their_16_bit_outputs_and_their_scales()
    {
        // Arrange
        var columns = new EncoderLowering(fixture.Session.Model, fixture.Calibration, ColumnOptions.Recommended);
        var ids = fixture.Session.Tokenize(Sentences[..2]);

        // Act
        var stack = columns.Lower(ids, chainInputs: true);

        // Assert: layer i+1 reads layer i's int16 output, at its scale, divided by its own input factors.
        for (var i = 1; i < stack.Count; i++)
        {
            var previous = stack[i - 1].Columns!;
            var c = stack[i].Columns!;
            Assert.Equal(IntLayerReference.Run(stack[i - 1]).YWide, c.X16);
            Assert.Equal(previous.Norm2.WideScale, c.ScaleX16);
            Assert.Equal(previous.SmoothOut, c.SmoothIn);
        }

        Assert.All(stack[^1].Columns!.SmoothOut, s => Assert.Equal(1.0, s));
        Assert.Equal(stack[^1].Columns!.Norm2.WideScale, columns.OutputScale);
    }

    [Fact]
    public void A_layer_without_heads_is_refused_naming_the_layer()
    {
        var m = fixture.Session.Model;
        var headless = m with { Layers = m.Layers.SetItem(3, m.Layers[3] with { Heads = 0 }) };
        var ex = Assert.Throws<ModelException>(() => new EncoderLowering(headless, fixture.Calibration));
        Assert.Contains("layer 3 has 0 heads", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scores_scaled_other_than_by_one_over_root_d_are_refused()
    {
        var m = fixture.Session.Model;
        var odd = m with { Layers = m.Layers.SetItem(0, m.Layers[0] with { ScoreScale = 0.5f }) };
        var ex = Assert.Throws<ModelException>(() => new EncoderLowering(odd, fixture.Calibration));
        Assert.Contains("1/√32", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The model, its calibration (8 sentences of fortunes-min's riddles, or the test sentences without it) and default.</summary>
    public sealed class Fixture : IDisposable
    {
        public Fixture()
        {
            Session = ModelSession.Open(ModelStore.MiniLm);
            IReadOnlyList<string> text;
            try
            {
                text = SentenceCorpus.Load(8, 1).Calibration;
            }
            catch (ModelException) when (Environment.GetEnvironmentVariable("CI") != "true")
            {
                text = Sentences;
            }

            Calibration = Session.Tokenize(text);
            Lowering = new EncoderLowering(Session.Model, Calibration);
            Design = DesignResolver.LoadFile(RepoPaths.Config("default"));
        }

        public ModelSession Session { get; }

        public IReadOnlyList<int[]> Calibration { get; }

        public EncoderLowering Lowering { get; }

        public DesignModel Design { get; }

        public void Dispose() => Session.Dispose();
    }
}
