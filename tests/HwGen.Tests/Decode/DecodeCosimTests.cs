using System.Globalization;
using HwGen.Software.Decode;
using HwGen.Software.Workloads;
using HwGen.Tests.Verif;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Decode;

/// <summary>Generation on the RTL: the prefill and each decode step against the golden model, DRAM carried from program to program.</summary>
[Collection(CosimGroup.Name)]
public sealed class DecodeCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private static readonly CosimOptions Bounded = new() { MaxCycles = 50_000_000, Watchdog = 500_000 };

    [SkippableFact]
    public async Task A_two_layer_prefill_and_decode_steps_match_the_golden_model_step_by_step_cache_rows_and_logits_included()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("default");
        var model = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=5,generate=2,layers=2,vocab=96,seed=3"));
        var h = model.Spec.Hidden;

        // Act
        var report = await DecodeCosim.RunAsync(session, model, Bounded);

        // Assert: every program matched bit for bit (whole image), and each step fed the previous step's choice.
        foreach (var s in report.Steps)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {s.Step} ctx {s.Context} {s.Input}->{s.Next}: {s.Cycles} cycles, read {s.Traffic.ReadBytes} B, bound {s.BoundCycles:F0} ({s.OfBound:P1})"));
            Assert.True(s.Cosim.Match, string.Join("; ", s.Cosim.Problems));
        }

        Assert.True(report.Match);
        Assert.Equal(3, report.Steps.Count);
        Assert.Equal(2, report.Tokens);
        for (var j = 1; j < report.Steps.Count; j++)
        {
            var s = report.Steps[j];
            Assert.Equal(report.Steps[j - 1].Next, s.Input);
            Assert.Equal(model.Prompt.Length + j, s.Context);

            // One K row and one V row appended per layer; the whole cache up to the new row read once for QKᵀ and once for P·V.
            Assert.Equal(2L * 2 * h, s.Traffic.CacheWriteBytes);
            Assert.Equal(2L * 2 * h * s.Context, s.Traffic.CacheReadBytes);
            Assert.Equal((long)s.Cosim.DmaReadBytes, s.Traffic.ReadBytes);
            Assert.Equal((long)s.Cosim.DmaWriteBytes, s.Traffic.WriteBytes);
            Assert.Equal("bandwidth", s.Bound);
            Assert.InRange(s.OfBound, 0.7, 1.0);
        }
    }
}
