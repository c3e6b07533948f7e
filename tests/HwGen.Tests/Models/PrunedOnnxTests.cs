using HwGen.Models;

namespace HwGen.Tests.Models;

/// <summary>
/// The pruned MiniLM written as an ONNX file (<see cref="PrunedOnnxWriter"/>): it re-imports with the kept heads and
/// filters per layer, the golden model of the reloaded file equals the masks applied to the original, and ONNX Runtime
/// runs the file to the masked float model's embeddings.
/// </summary>
public sealed class PrunedOnnxTests(EncoderLoweringTests.Fixture fixture) : IClassFixture<EncoderLoweringTests.Fixture>, IDisposable
{
    /// <summary>Unequal per layer, indices not a prefix, one layer with tuned scales.</summary>
    private static readonly string Masks = """
        { "layers": [ {}, { "heads": [1, 4, 11], "filters": [FILTERS] }, { "heads": [0, 1, 2, 3, 4, 5, 6, 7] }, { "filters": [3, 700, 1535] },
          { "heads": [2, 9], "head_scales": [1.5, 0.5], "filters": [0, 5, 9], "filter_scales": [2.0, 1.0, -1.0] }, {} ] }
        """.Replace("FILTERS", string.Join(", ", Enumerable.Range(0, 512).Select(i => 3 * i)), StringComparison.Ordinal);

    private readonly string dir = Directory.CreateTempSubdirectory("hwgen-pruned-onnx").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void The_written_file_reloads_with_the_kept_heads_and_filters_and_the_same_weights()
    {
        // Arrange
        var path = Path.Combine(dir, "pruned.onnx");

        // Act
        var pruned = PrunedOnnxWriter.Write(fixture.Session.Imported, PruneMasks.Parse(Masks, "m.json"), "m.json", path);
        var reloaded = EncoderImporter.Import(path).Model;

        // Assert
        Assert.Equal([12, 3, 8, 12, 2, 12], reloaded.Layers.Select(l => l.Heads));
        Assert.Equal([1536, 512, 1536, 3, 3, 1536], reloaded.Layers.Select(l => l.FfnWidth));
        Assert.All(reloaded.Layers, l => Assert.Equal(32, l.HeadDim));
        for (var i = 0; i < pruned.Layers.Length; i++)
        {
            var (a, b) = (pruned.Layers[i], reloaded.Layers[i]);
            foreach (var (x, y) in new[] { (a.Query, b.Query), (a.Key, b.Key), (a.Value, b.Value), (a.Output, b.Output), (a.Ffn1, b.Ffn1), (a.Ffn2, b.Ffn2) })
            {
                Assert.True(x.Weight.Data.SequenceEqual(y.Weight.Data) && x.Bias.Data.SequenceEqual(y.Bias.Data), $"layer {i}: a projection differs");
            }
        }
    }

    [Fact]
    public void The_golden_model_of_the_reloaded_file_equals_the_masks_applied_to_the_original()
    {
        // Arrange
        var path = Path.Combine(dir, "pruned.onnx");
        var pruned = PrunedOnnxWriter.Write(fixture.Session.Imported, PruneMasks.Parse(Masks, "m.json"), "m.json", path);
        var reloaded = EncoderImporter.Import(path).Model;
        var ids = fixture.Session.Tokenize(MiniLmTests.Sentences[..2]);

        // Act
        var maskedPass = new AcceleratorPass(fixture.Design, new EncoderLowering(pruned, fixture.Calibration));
        var expected = maskedPass.RunGolden(maskedPass.Compile(ids));
        var reloadedPass = new AcceleratorPass(fixture.Design, new EncoderLowering(reloaded, fixture.Calibration));
        var actual = reloadedPass.RunGolden(reloadedPass.Compile(ids));

        // Assert
        Assert.Equal(expected.Count, actual.Count);
        Assert.All(expected.Zip(actual), p => Assert.True(p.First.SequenceEqual(p.Second), "the reloaded model's golden outputs differ"));
    }

    [Fact]
    public void Onnx_runtime_runs_the_written_file_to_the_masked_float_models_embeddings()
    {
        // Arrange
        var path = Path.Combine(dir, "pruned.onnx");
        var pruned = PrunedOnnxWriter.Write(fixture.Session.Imported, PruneMasks.Parse(Masks, "m.json"), "m.json", path);
        var imported = EncoderImporter.Import(path);
        using var ort = new OrtReference(imported);
        var ids = fixture.Session.Tokenize(MiniLmTests.Sentences[..3]);
        var floatPass = new FloatEncoder(pruned);
        var unpruned = new FloatEncoder(fixture.Session.Model);

        foreach (var s in ids)
        {
            // Act
            var expected = FloatEncoder.Pool(floatPass.Forward(s), s.Length, Pooling.Mean);
            var actual = FloatEncoder.Pool(ModelSession.Flatten(ort.HiddenStates(s)), s.Length, Pooling.Mean);
            var original = FloatEncoder.Pool(unpruned.Forward(s), s.Length, Pooling.Mean);

            // Assert
            Assert.True(Similarity.Cosine(expected, actual) > 0.9999, $"cosine {Similarity.Cosine(expected, actual)}");
            Assert.True(Similarity.Cosine(original, actual) < 0.999, "the masks should change the embedding");
        }
    }

    [Fact]
    public void A_written_file_can_be_pruned_again_and_still_runs_on_onnx_runtime()
    {
        // Arrange: prune the written file's 3-head layer 1 to 2 heads and its 8-head layer 2 to 1.
        var first = Path.Combine(dir, "pruned.onnx");
        var second = Path.Combine(dir, "again.onnx");
        PrunedOnnxWriter.Write(fixture.Session.Imported, PruneMasks.Parse(Masks, "m.json"), "m.json", first);
        var again = PruneMasks.Parse("""{ "layers": [ {}, { "heads": [0, 2] }, { "heads": [7], "filters": [1, 2] }, {}, {}, {} ] }""", "n.json");

        // Act
        var pruned = PrunedOnnxWriter.Write(EncoderImporter.Import(first), again, "n.json", second);
        var imported = EncoderImporter.Import(second);
        using var ort = new OrtReference(imported);
        var ids = fixture.Session.Tokenize(MiniLmTests.Sentences[..1])[0];

        // Assert
        Assert.Equal([12, 2, 1, 12, 2, 12], imported.Model.Layers.Select(l => l.Heads));
        Assert.Equal([1536, 512, 2, 3, 3, 1536], imported.Model.Layers.Select(l => l.FfnWidth));
        var expected = FloatEncoder.Pool(new FloatEncoder(pruned).Forward(ids), ids.Length, Pooling.Mean);
        var actual = FloatEncoder.Pool(ModelSession.Flatten(ort.HiddenStates(ids)), ids.Length, Pooling.Mean);
        Assert.True(Similarity.Cosine(expected, actual) > 0.9999, $"cosine {Similarity.Cosine(expected, actual)}");
    }
}
