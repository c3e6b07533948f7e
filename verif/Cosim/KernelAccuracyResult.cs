using HwGen.Software.Layers;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;

namespace HwGen.Verif;

/// <summary>
/// Accuracy of one Transformer kernel run, or of one tensor of a whole layer (kernel <c>layer</c>): the output integers
/// times their scale against the exact float function of the dequantized input, or against the float layer run on the
/// dequantized weights (<see cref="KernelReference"/>), in real units, in output LSBs and as a cosine similarity.
/// </summary>
/// <param name="Kernel">gelu, softmax, layernorm, or layer.</param>
/// <param name="Tensor">Output tensor measured.</param>
/// <param name="Count">Elements measured.</param>
/// <param name="MaxAbs">Largest absolute error, real units.</param>
/// <param name="Rms">Root-mean-square error, real units.</param>
/// <param name="MaxAbsLsb">Largest absolute error in output LSBs.</param>
/// <param name="RmsLsb">RMS error in output LSBs.</param>
/// <param name="OutputScale">Real value of one output LSB.</param>
public sealed record KernelAccuracyResult(string Kernel, string Tensor, long Count, double MaxAbs, double Rms, double MaxAbsLsb, double RmsLsb, double OutputScale)
{
    /// <summary>Cosine similarity of the dequantized output with the float reference.</summary>
    public double Cosine { get; init; }

    /// <summary>Measures every kernel reference of a program on a DRAM image after the run.</summary>
    public static IReadOnlyList<KernelAccuracyResult> Measure(CompiledProgram program, byte[] dram)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(dram);
        var results = new List<KernelAccuracyResult>();
        foreach (var reference in program.References)
        {
            var tensor = program.Tensors.First(t => t.Name == reference.Tensor);
            var actual = Array.ConvertAll(tensor.Read(dram), v => v * reference.OutputScale);
            if (reference.RowNormalized)
            {
                // Late-normalized Softmax: the effective probabilities are u/Σu per row.
                for (var r = 0; r < actual.Length; r += tensor.Cols)
                {
                    var row = actual.AsSpan(r, Math.Min(tensor.Cols, actual.Length - r));
                    var sum = 0.0;
                    foreach (var v in row)
                    {
                        sum += v;
                    }

                    for (var j = 0; sum > 0 && j < row.Length; j++)
                    {
                        row[j] /= sum;
                    }
                }
            }

            var stats = ErrorStats.Measure(actual, reference.Reference, reference.OutputScale);
            results.Add(new KernelAccuracyResult(reference.Kernel, reference.Tensor, stats.Count, stats.MaxAbs, stats.Rms, stats.MaxAbsLsb, stats.RmsLsb, reference.OutputScale)
            {
                Cosine = LayerAccuracy.CosineSimilarity(actual, reference.Reference),
            });
        }

        return results;
    }
}
