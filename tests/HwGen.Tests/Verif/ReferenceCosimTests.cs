using HwGen.Verif;

namespace HwGen.Tests.Verif;

[Collection(CosimGroup.Name)]
public sealed class ReferenceCosimTests(CosimFixture fixture)
{
    [SkippableFact]
    public async Task A_program_the_RTL_runs_faithfully_but_that_does_not_compute_its_workload_fails_as_golden_versus_reference()
    {
        // Arrange: the RTL and the golden model run the same (wrong) program, so only the reference can notice.
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = ReferenceCheckTests.AlteredGemm(session.Design);

        // Act
        var report = await session.RunAsync(program, new CosimOptions { MaxCycles = 2_000_000, Watchdog = 100_000 });

        // Assert
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.True(report.RtlMatch, string.Join("; ", report.Problems));
        Assert.False(report.Match);
        Assert.False(report.ReferenceMatch);
        Assert.Equal(Disagreement.GoldenVsReference, report.Disagreement);
        Assert.Equal("C", report.ReferenceMismatch?.Tensor);
        Assert.StartsWith("golden vs reference", report.Problems[0], StringComparison.Ordinal);
        Assert.Contains("\"disagreement\": \"golden_vs_reference\"", CosimReportJson.Serialize(report), StringComparison.Ordinal);
    }
}
