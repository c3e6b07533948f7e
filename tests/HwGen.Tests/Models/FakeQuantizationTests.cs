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
    public void GELU_output_smoothing_alone_leaves_the_float_model_unchanged()
    {
        // Arrange: each GELU output column divided by its factor, FFN2's rows multiplied by it, nothing rounded.
        var smoothOnly = new QuantScheme("GELU smoothing only", WeightQuantization.Float, null, null, null) { GeluSmoothAlpha = 0.7 };

        // Act
        var expected = new FloatEncoder(model).Forward(Sentence);
        var actual = new FloatEncoder(model, smoothOnly, Calibration).Forward(Sentence);

        // Assert
        Assert.True(Similarity.MaxAbsDifference(actual, expected) < 1e-4, $"max |Δ| {Similarity.MaxAbsDifference(actual, expected)}");
    }

    [Fact]
    public void GELU_output_smoothing_with_rounded_weights_needs_the_per_column_GELU_store()
    {
        // Arrange
        var perTensorGelu = new QuantScheme("no F3", WeightQuantization.PerTensor, 8, 16, 8) { PerColumn = PerColumnStores.LayerNormInput, GeluSmoothAlpha = 0.7 };

        // Act
        var error = Assert.Throws<ArgumentException>(() => new FloatEncoder(model, perTensorGelu, Calibration));

        // Assert
        Assert.Contains("per-column GELU store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_column_stores_choose_the_weight_granularity_of_the_projections_feeding_them()
    {
        var scheme = new QuantScheme("F2 only", WeightQuantization.PerTensor, 8, 16, 8) { PerColumn = PerColumnStores.LayerNormInput };
        Assert.Equal(WeightQuantization.PerChannel, scheme.WeightsFor(PerColumnStores.LayerNormInput));
        Assert.Equal(WeightQuantization.PerTensor, scheme.WeightsFor(PerColumnStores.Requantize));
        Assert.Equal(WeightQuantization.PerTensor, scheme.WeightsFor(PerColumnStores.Gelu));
        Assert.Equal(WeightQuantization.PerChannel, QuantScheme.Study[1].WeightsFor(PerColumnStores.Gelu));
        Assert.Equal(WeightQuantization.Float, QuantScheme.Float.WeightsFor(PerColumnStores.Requantize));
    }

    [Fact]
    public void Sixteen_bit_operands_cost_extra_int8_passes_and_float_operands_have_no_cost()
    {
        // Arrange
        int[] lengths = [7, 30];

        // Act
        var int8 = ArrayCost.PassesPerMac(model, QuantScheme.Recommended, lengths);
        var wideFfn = ArrayCost.PassesPerMac(model, QuantScheme.Best, lengths);
        var wideGelu = ArrayCost.PassesPerMac(model, QuantScheme.Recommended with { GeluOutputBits = 16 }, lengths);
        var floatActivations = ArrayCost.PassesPerMac(model, QuantScheme.Study[1], lengths);

        // Assert: FFN2 alone is a third of the layer's MACs at short lengths, both FFN GEMMs two thirds.
        Assert.Equal(1.0, int8);
        Assert.InRange(wideGelu!.Value, 1.2, 1.34);
        Assert.InRange(wideFfn!.Value, 1.4, 1.67);
        Assert.True(wideFfn > wideGelu);
        Assert.Null(floatActivations);
    }

    [Fact]
    public void The_recommended_int8_datapath_stays_close_to_the_float_model()
    {
        // Arrange
        var reference = FloatEncoder.Pool(new FloatEncoder(model).Forward(Sentence), Sentence.Length, Pooling.Mean);

        // Act
        var recommended = Similarity.Cosine(FloatEncoder.Pool(new FloatEncoder(model, QuantScheme.Recommended, Calibration).Forward(Sentence), Sentence.Length, Pooling.Mean), reference);
        var today = Similarity.Cosine(FloatEncoder.Pool(new FloatEncoder(model, QuantScheme.Study[17], Calibration).Forward(Sentence), Sentence.Length, Pooling.Mean), reference);

        // Assert
        Assert.True(recommended > 0.99, $"recommended {recommended}");
        Assert.True(recommended < 1.0 - 1e-7, $"the recommended scheme must round something (cosine {recommended})");
        Assert.True(today < 1.0 - 1e-7, $"today's datapath must round something (cosine {today})");
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
