using HwGen.Models;
using HwGen.Software.Golden;
using HwGen.Software.Layers;

namespace HwGen.Tests.Models;

/// <summary>
/// Structured pruning masks on MiniLM: the file format and its errors, the gathered float model against the unpruned one
/// with the pruned heads and filters zeroed, and the pruned model on the golden model against the integer reference.
/// </summary>
public sealed class PruneMasksTests(EncoderLoweringTests.Fixture fixture) : IClassFixture<EncoderLoweringTests.Fixture>
{
    /// <summary>Unequal per layer, with indices that are not a prefix: layer 1 keeps heads 1, 4, 11 and every third filter.</summary>
    private static readonly string Masks = """
        { "layers": [ {}, { "heads": [1, 4, 11], "filters": [FILTERS] }, { "heads": [0, 1, 2, 3, 4, 5, 6, 7] }, { "filters": [3, 700, 1535] }, {}, {} ] }
        """.Replace("FILTERS", string.Join(", ", Enumerable.Range(0, 512).Select(i => 3 * i)), StringComparison.Ordinal);

    [Theory]
    [InlineData("""{ "layer": [] }""", "m.json: unknown key 'layer'; expected \"layers\"")]
    [InlineData("""{ "layers": {} }""", "m.json: \"layers\" must be an array")]
    [InlineData("""{ "layers": [ { "heads": [0], "rows": [1] } ] }""", "m.json: layer 0: unknown key 'rows'")]
    [InlineData("""{ "layers": [ {}, { "heads": [0, 1.5] } ] }""", "m.json: layer 1: \"heads\": '1.5' is not an integer index")]
    [InlineData("""{ "layers": [ { "filters": 7 } ] }""", "m.json: layer 0: \"filters\" must be a list of indices")]
    public void A_malformed_masks_file_is_a_one_line_error_naming_the_place(string json, string message)
    {
        // Act
        var e = Assert.Throws<ModelException>(() => PruneMasks.Parse(json, "m.json"));

        // Assert
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "layers": [ {}, {} ] }""", "m.json: 2 layer entries for minilm's 6 encoder layers")]
    [InlineData("""{ "layers": [ {}, {}, { "heads": [12] }, {}, {}, {} ] }""", "m.json: layer 2: head 12 is out of range 0..11")]
    [InlineData("""{ "layers": [ {}, {}, {}, { "filters": [] }, {}, {} ] }""", "m.json: layer 3: keeps no filters")]
    [InlineData("""{ "layers": [ { "heads": [3, 2] }, {}, {}, {}, {}, {} ] }""", "m.json: layer 0: heads must be listed ascending without repeats (3 then 2)")]
    public void Masks_that_do_not_fit_the_model_are_refused_naming_the_layer(string json, string message)
    {
        // Act
        var e = Assert.Throws<ModelException>(() => PruneMasks.Parse(json, "m.json").Apply(fixture.Session.Model, "m.json"));

        // Assert
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_pruned_float_model_equals_the_unpruned_one_with_the_pruned_heads_and_filters_zeroed()
    {
        // Arrange: zero the output-projection rows of the pruned heads and the FFN2 rows of the pruned filters.
        var m = fixture.Session.Model;
        var masks = PruneMasks.Parse(Masks, "m.json");
        var zeroed = m with { Layers = [.. m.Layers.Select((l, i) => Zero(l, masks.Mask(i, l)))] };
        var ids = fixture.Session.Tokenize(MiniLmTests.Sentences[..1])[0];

        // Act
        var pruned = masks.Apply(m, "m.json");
        var expected = new FloatEncoder(zeroed).Forward(ids);
        var actual = new FloatEncoder(pruned).Forward(ids);

        // Assert
        Assert.Equal([12, 3, 8, 12, 12, 12], pruned.Layers.Select(l => l.Heads));
        Assert.Equal([1536, 512, 1536, 3, 1536, 1536], pruned.Layers.Select(l => l.FfnWidth));
        Assert.Equal(96, pruned.Layers[1].Query.Out);
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-4f));
        Assert.True(expected.Zip(new FloatEncoder(m).Forward(ids)).Max(p => Math.Abs(p.First - p.Second)) > 1e-2, "the masks should change the output");
    }

    [Fact]
    public void A_pruned_model_on_the_golden_model_equals_the_integer_reference_tensor_for_tensor()
    {
        // Arrange: two sentences on the per-column datapath, layers of 12, 3 and 8 heads and 1536, 512 and 3 filters.
        var pruned = PruneMasks.Parse(Masks, "m.json").Apply(fixture.Session.Model, "m.json");
        var lowering = new EncoderLowering(pruned, fixture.Calibration, ColumnOptions.Recommended);
        var pass = new AcceleratorPass(fixture.Design, lowering);
        var ids = fixture.Session.Tokenize(MiniLmTests.Sentences[..2]);

        // Act
        var batch = pass.Compile(ids, chainInputs: true);
        var golden = GoldenSimulator.Run(fixture.Design, batch.Compiled.Program);
        var tokens = TokenChecker.Check(fixture.Design, batch.Compiled.Program.Instructions);

        // Assert
        Assert.True(golden.Ok, golden.FaultDetail);
        Assert.True(tokens.Ok, string.Join("\n", tokens.Errors));
        var tensors = batch.Compiled.Program.Tensors;
        Assert.Equal(96, tensors.Single(t => t.Name == "L1.Q").Cols);
        Assert.Equal(3, tensors.Single(t => t.Name == "L3.H").Cols);
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
    public void Tuned_scales_multiply_the_kept_heads_rows_of_the_output_projection_and_the_kept_filters_rows_of_ffn2()
    {
        // Arrange
        var m = fixture.Session.Model;
        const string json = """{ "layers": [ {}, { "heads": [3, 7], "head_scales": [2.0, -0.5], "filters": [5], "filter_scales": [3.0] }, {}, {}, {}, {} ] }""";

        // Act
        var pruned = PruneMasks.Parse(json, "m.json").Apply(m, "m.json");
        var bad = Assert.Throws<ModelException>(() => PruneMasks.Parse(json.Replace("[2.0, -0.5]", "[2.0]", StringComparison.Ordinal), "m.json").Apply(m, "m.json"));

        // Assert
        var (o, full) = (pruned.Layers[1].Output.Weight, m.Layers[1].Output.Weight);
        Assert.Equal(2.0f * full[(3 * 32) + 4, 9], o[4, 9]);
        Assert.Equal(-0.5f * full[(7 * 32) + 31, 100], o[32 + 31, 100]);
        Assert.Equal(3.0f * m.Layers[1].Ffn2.Weight[5, 17], pruned.Layers[1].Ffn2.Weight[0, 17]);
        Assert.StartsWith("m.json: layer 1: 1 head scales for 2 kept heads", bad.Message, StringComparison.Ordinal);
    }

    private static EncoderLayer Zero(EncoderLayer l, LayerMask mask)
    {
        var heads = LayerPruning.HeadColumns(mask.Heads, l.HeadDim).ToHashSet();
        LinearWeights ZeroRows(LinearWeights w, Func<int, bool> keep)
        {
            var data = w.Weight.Data.ToArray();
            for (var r = 0; r < w.In; r++)
            {
                if (!keep(r))
                {
                    Array.Clear(data, r * w.Out, w.Out);
                }
            }

            return w with { Weight = new FloatMatrix(w.In, w.Out, data) };
        }

        var filters = mask.Filters.ToHashSet();
        return l with { Output = ZeroRows(l.Output, heads.Contains), Ffn2 = ZeroRows(l.Ffn2, filters.Contains) };
    }
}
