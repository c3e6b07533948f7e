using HwGen.Software.Layers;

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

    /// <summary>
    /// The bit-exact integer datapaths on the same sentences: the untiled integer layer reference (what the golden model
    /// and the RTL compute) of the per-tensor datapath and of the per-column one (<see cref="ColumnOptions.Recommended"/>),
    /// sentences packed in batches of at most 128 tokens. One line each through <paramref name="progress"/>.
    /// </summary>
    public static List<(string Name, double Mean, double P5, double Min, double Spearman)> RunInteger(ModelSession session, IReadOnlyList<string> calibration, IReadOnlyList<string> evaluation, Pooling pooling, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        var calib = session.Tokenize(calibration);
        var eval = session.Tokenize(evaluation);
        var reference = eval.Select(ids => FloatEncoder.Pool(ModelSession.Flatten(session.Reference.HiddenStates(ids)), ids.Length, pooling)).ToList();
        var refPairs = Similarity.PairwiseCosines(reference);
        var rows = new List<(string, double, double, double, double)>();
        foreach (var (name, options) in new[] { ("integer datapath, per tensor (bit-exact)", (ColumnOptions?)null), ("integer datapath, per column (bit-exact)", ColumnOptions.Recommended) })
        {
            var lowering = new EncoderLowering(session.Model, calib, options);
            var embeddings = new float[eval.Count][];
            foreach (var batch in EncoderLowering.Batches(eval, 128))
            {
                var states = lowering.ReferenceHiddenStates(batch.Select(i => eval[i]).ToList());
                foreach (var (h, i) in states.Zip(batch))
                {
                    embeddings[i] = FloatEncoder.Pool(h, eval[i].Length, pooling);
                }
            }

            var cos = embeddings.Select((e, i) => Similarity.Cosine(e, reference[i])).ToList();
            var row = (name, cos.Average(), Similarity.Percentile(cos, 5), cos.Min(), Similarity.Spearman(Similarity.PairwiseCosines(embeddings), refPairs));
            rows.Add(row);
            progress?.Invoke(FormattableString.Invariant($"{name,-66} mean {row.Item2:F4}  p5 {row.Item3:F4}  min {row.Item4:F4}  Spearman {row.Item5:F4}  passes/MAC 1.00"));
        }

        return rows;
    }
}
