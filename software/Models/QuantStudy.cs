namespace HwGen.Models;

/// <summary>
/// The quantization study: for each <see cref="QuantScheme"/>, calibrate on the calibration sentences, run the held-out
/// sentences, and compare embeddings with ONNX Runtime's (mean and 5th-percentile cosine, Spearman of pairwise similarities).
/// </summary>
public static class QuantStudy
{
    /// <summary>Runs the study; <paramref name="progress"/> receives one line per scheme.</summary>
    public static List<StudyRow> Run(ModelSession session, IReadOnlyList<string> calibration, IReadOnlyList<string> evaluation, IEnumerable<QuantScheme> schemes, Pooling pooling, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(schemes);
        var calib = session.Tokenize(calibration);
        var eval = session.Tokenize(evaluation);
        var reference = eval.Select(ids => FloatEncoder.Pool(ModelSession.Flatten(session.Reference.HiddenStates(ids)), ids.Length, pooling)).ToList();
        var refPairs = Similarity.PairwiseCosines(reference);
        var rows = new List<StudyRow>();
        foreach (var scheme in new[] { QuantScheme.Float }.Concat(schemes))
        {
            var encoder = new FloatEncoder(session.Model, scheme, calib);
            var embeddings = eval.Select(ids => FloatEncoder.Pool(encoder.Forward(ids), ids.Length, pooling)).ToList();
            var cos = embeddings.Select((e, i) => Similarity.Cosine(e, reference[i])).ToList();
            var cost = ArrayCost.PassesPerMac(session.Model, scheme, eval.Select(ids => ids.Length));
            var row = new StudyRow(scheme, cos.Average(), Similarity.Percentile(cos, 5), cos.Min(), Similarity.Spearman(Similarity.PairwiseCosines(embeddings), refPairs), cost);
            rows.Add(row);
            var passes = cost is { } c ? FormattableString.Invariant($"{c:F2}") : "-";
            progress?.Invoke(FormattableString.Invariant($"{row.Scheme.Name,-66} mean {row.MeanCosine:F4}  p5 {row.P5Cosine:F4}  min {row.MinCosine:F4}  Spearman {row.Spearman:F4}  passes/MAC {passes}"));
        }

        return rows;
    }
}
