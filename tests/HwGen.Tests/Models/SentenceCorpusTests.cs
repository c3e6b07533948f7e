using HwGen.Models;

namespace HwGen.Tests.Models;

public sealed class SentenceCorpusTests
{
    [SkippableFact]
    public void Calibration_and_evaluation_sentences_are_disjoint_and_enough_for_the_study()
    {
        // Arrange
        var present = Directory.Exists(SentenceCorpus.FortunesFolder);
        Skip.If(!present && Environment.GetEnvironmentVariable("CI") != "true", "fortunes-min is not installed");

        // Act
        var (calibration, evaluation) = SentenceCorpus.Load(32, 200);
        var again = SentenceCorpus.Load(32, 200);

        // Assert
        Assert.Equal(32, calibration.Count);
        Assert.Equal(200, evaluation.Count);
        Assert.Empty(calibration.Intersect(evaluation, StringComparer.Ordinal));
        Assert.Equal(evaluation, again.Evaluation);
        Assert.All(evaluation, s => Assert.InRange(s.Split(' ').Length, 4, 60));
    }

    [Fact]
    public void Spearman_is_one_for_the_same_order_and_minus_one_for_the_reverse()
    {
        double[] a = [0.1, 0.5, 0.3, 0.9];
        Assert.Equal(1.0, Similarity.Spearman(a, [1, 5, 3, 9]), 12);
        Assert.Equal(-1.0, Similarity.Spearman(a, [9, 5, 7, 1]), 12);
    }
}
