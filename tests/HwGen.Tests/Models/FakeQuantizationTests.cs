using HwGen.Models;

namespace HwGen.Tests.Models;

public sealed class FakeQuantizationTests : IDisposable
{
    private static readonly int[][] Calibration = [[1, 4, 9, 16, 25, 36, 2], [1, 7, 14, 21, 28, 35, 42, 49, 2], [1, 50, 40, 30, 2]];
    private static readonly int[] Sentence = [1, 11, 22, 33, 44, 55, 2];

    private readonly string dir = Directory.CreateTempSubdirectory("hwgen-fq-").FullName;
    private readonly EncoderModel model;

    public FakeQuantizationTests()
    {
        var path = Path.Combine(dir, "m.onnx");
        SyntheticBert.Write(path, SyntheticBert.Build(new BertSpelling(false, false, false, false, -10000f, false, 13), seed: 3));
        model = EncoderImporter.Import(path).Model;
    }

    [Fact]
    public void SmoothQuant_migration_alone_leaves_the_float_model_unchanged()
    {
        // Arrange: smoothing factors folded into the weights, nothing rounded.
        var smoothOnly = new QuantScheme("smooth only", WeightQuantization.Float, null, null, null, SmoothAlpha: 0.5);

        // Act
        var expected = new FloatEncoder(model).Forward(Sentence);
        var actual = new FloatEncoder(model, smoothOnly, Calibration).Forward(Sentence);

        // Assert
        Assert.True(Similarity.MaxAbsDifference(actual, expected) < 1e-4, $"max |Δ| {Similarity.MaxAbsDifference(actual, expected)}");
    }

    [Fact]
    public void Wider_formats_never_lose_to_int8_everywhere_on_the_same_calibration()
    {
        // Arrange
        var reference = FloatEncoder.Pool(new FloatEncoder(model).Forward(Sentence), Sentence.Length, Pooling.Mean);
        double Cosine(QuantScheme s) => Similarity.Cosine(FloatEncoder.Pool(new FloatEncoder(model, s, Calibration).Forward(Sentence), Sentence.Length, Pooling.Mean), reference);

        // Act
        var int8 = Cosine(QuantScheme.Study[0]);
        var perChannelFloatActivations = Cosine(QuantScheme.Study[1]);
        var wide = Cosine(QuantScheme.Study[6]);

        // Assert
        Assert.True(int8 < 1.0 - 1e-6, $"int8 everywhere must change the output (cosine {int8})");
        Assert.True(perChannelFloatActivations > int8, $"{perChannelFloatActivations} vs {int8}");
        Assert.True(wide > int8, $"{wide} vs {int8}");
    }

    [Fact]
    public void A_quantized_scheme_without_calibration_sentences_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new FloatEncoder(model, QuantScheme.Best));
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
