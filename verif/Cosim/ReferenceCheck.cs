using System.Globalization;
using HwGen.Software.Programs;
using HwGen.Software.References;

namespace HwGen.Verif;

/// <summary>
/// The independent check of every co-simulation: the golden model's outputs against the workload's untiled integer
/// reference (<see cref="UntiledReference"/>), so a wrong program that the golden model and the RTL both execute
/// faithfully is still caught, and named as a compiler bug rather than an RTL one.
/// </summary>
public static class ReferenceCheck
{
    /// <summary>The note of a run with no reference.</summary>
    public const string NoReference = "no untiled reference: a hand-written program (--program) or a workload without one; only RTL vs golden was checked";

    /// <summary>
    /// Compares each reference tensor with the program's tensor of that name in <paramref name="goldenDram"/>. A null
    /// <paramref name="reference"/> or a golden run that faulted checks nothing.
    /// </summary>
    public static ReferenceCheckResult Check(CompiledProgram program, byte[] goldenDram, bool goldenCompleted, IReadOnlyList<ReferenceTensor>? reference)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(goldenDram);
        if (reference is null)
        {
            return ReferenceCheckResult.NotChecked(NoReference);
        }

        if (!goldenCompleted)
        {
            return ReferenceCheckResult.NotChecked("the golden model faulted, so its outputs were not checked against the untiled reference");
        }

        foreach (var r in reference)
        {
            var region = program.Tensors.FirstOrDefault(t => t.Name == r.Name);
            if (region is null || (long)region.Rows * region.Cols != r.Values.LongLength)
            {
                var what = region is null ? "has no such tensor" : string.Create(CultureInfo.InvariantCulture, $"holds {region.Rows}x{region.Cols} elements, the reference {r.Values.LongLength}");
                return new ReferenceCheckResult(false, new TensorMismatch(r.Name, 0, 0, region?.Address ?? -1, r.Values.LongLength, region is null ? 0 : (long)region.Rows * region.Cols, r.Values.LongLength),
                    reference.Count, $"reference tensor {r.Name}: the program {what}");
            }

            var golden = region.Read(goldenDram);
            if (TensorMismatch.First(region, r.Name, r.Values, golden) is { } m)
            {
                return new ReferenceCheckResult(false, m, reference.Count, string.Create(CultureInfo.InvariantCulture,
                    $"golden vs reference (a compiler bug): {m.Tensor}[{m.Row}, {m.Col}]: reference {m.Expected}, golden {m.Actual}; {m.DifferingElements} element(s) of {m.Tensor} differ"));
            }
        }

        return new ReferenceCheckResult(true, null, reference.Count, string.Create(CultureInfo.InvariantCulture,
            $"golden outputs equal the untiled reference ({reference.Count} tensor(s): {string.Join(", ", reference.Select(t => t.Name))})"));
    }

    /// <summary>Which side disagreed, from the RTL-vs-golden verdict and the reference check.</summary>
    public static Disagreement Attribute(bool rtlMatchesGolden, ReferenceCheckResult reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var golden = reference.Match == false;
        return (rtlMatchesGolden, golden) switch
        {
            (true, false) => Disagreement.None,
            (false, false) => Disagreement.RtlVsGolden,
            (true, true) => Disagreement.GoldenVsReference,
            _ => Disagreement.Both,
        };
    }
}
