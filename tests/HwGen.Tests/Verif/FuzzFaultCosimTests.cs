using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Programs;
using HwGen.Software.References;
using HwGen.Software.Workloads;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

/// <summary>
/// The fuzzer's fault cases and its verdicts in co-simulation on tiny: every fault kind is reported alike by the RTL
/// and the golden model (a never-ending program as the expected hang), and a wrong compiler or a wrong golden model is
/// a mismatch naming the side that disagreed.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class FuzzFaultCosimTests(CosimFixture fixture)
{
    public static TheoryData<FuzzFault, string> Faults()
    {
        var data = new TheoryData<FuzzFault, string>();
        foreach (var fault in FaultInjection.Kinds.Where(f => f != FuzzFault.None))
        {
            data.Add(fault, "gemm:M=9,N=6,K=10,relu=1");
        }

        data.Add(FuzzFault.StoreSlverr, "softmax:rows=3,cols=9,causal=1");
        data.Add(FuzzFault.BadField, "layernorm:rows=2,cols=7,residual=1");
        data.Add(FuzzFault.Hang, "resadd:rows=2,cols=5");
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Faults))]
    public async Task An_injected_fault_is_reported_by_the_RTL_with_the_golden_models_code_and_pc(FuzzFault fault, string workload)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var fuzzer = new Fuzzer(new FuzzSettings { MaxCycles = 2_000_000, OutputDirectory = Path.Combine(Path.GetTempPath(), "hwgen-fuzz-fault-test") });
        var c = new FuzzCase("configs/tiny.yaml", workload, Dataflow.Ws, 11, 3, 20, 4, fault, 12345);

        // Act
        var result = await fuzzer.RunCaseAsync(session, c);

        // Assert
        Assert.True(result.Verdict == FuzzVerdict.Pass, $"{result.Verdict}: {result.Summary}; {result.Injected}; {result.ReproCommand}");
        Assert.NotEmpty(result.Injected);
        if (fault == FuzzFault.Hang)
        {
            Assert.True(result.ExpectedHang);
            Assert.Equal("none", result.GoldenFault);
        }
        else
        {
            Assert.Contains(result.GoldenFault, FaultInjection.ExpectedCodes(fault).Select(IsaSpec.Name));
        }
    }

    [SkippableFact]
    public async Task A_wrong_compiler_and_a_wrong_golden_model_are_mismatches_that_name_the_disagreeing_side()
    {
        // Arrange: a GEMM whose input was changed after compilation (the program no longer computes the workload), and
        // the RTL's run of the correct program judged against the golden model of the changed one.
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var design = session.Design;
        var c = new FuzzCase("configs/tiny.yaml", "gemm:M=6,N=5,K=7", Dataflow.Ws, 3, 1, 0, 0);
        var altered = ReferenceCheckTests.AlteredGemm(design);
        var correct = WorkloadCompiler.Compile(design, WorkloadSpec.Parse("gemm:M=6,N=5,K=7,seed=3"));
        var options = c.Options(1_000_000);

        // Act
        var compilerBug = await session.RunAsync(altered, options);
        var binary = await session.PrepareAsync();
        var rtl = await HarnessRunner.RunAsync(binary, correct.Dram, correct.ProgramAddress, correct.Length, options);
        var wrongGolden = GoldenSimulator.Run(design, altered);
        var goldenBug = CosimSession.Compare(design, correct, wrongGolden, rtl, options, binary.Hash,
            ReferenceCheck.Check(correct, wrongGolden.Dram, wrongGolden.Ok, UntiledReference.ForProgram(correct)));

        // Assert
        var (verdict, summary) = Fuzzer.Judge(c, compilerBug);
        Assert.Equal(FuzzVerdict.Mismatch, verdict);
        Assert.Equal(Disagreement.GoldenVsReference, compilerBug.Disagreement);
        Assert.StartsWith("golden vs reference", summary, StringComparison.Ordinal);
        (verdict, summary) = Fuzzer.Judge(c, goldenBug);
        Assert.Equal(FuzzVerdict.Mismatch, verdict);
        Assert.Equal(Disagreement.Both, goldenBug.Disagreement);
        Assert.NotEmpty(summary);
        Assert.Equal((FuzzVerdict.Pass, string.Empty), Fuzzer.Judge(c, await session.RunAsync(correct, options)));
    }

    [SkippableFact]
    public async Task A_failing_case_with_a_changed_program_writes_the_program_and_image_its_command_replays()
    {
        // Arrange: a never-ending program with a cycle budget below the watchdog window ends as a timeout, not the
        // expected hang, so the case fails and its changed program must be written out.
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var output = Path.Combine(Path.GetTempPath(), $"hwgen-fuzz-repro-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var fuzzer = new Fuzzer(new FuzzSettings { MaxCycles = 300, OutputDirectory = output });
        var c = new FuzzCase("configs/tiny.yaml", "gemm:M=12,N=8,K=9", Dataflow.Ws, 5, 2, 0, 0, FuzzFault.Hang, 99);

        try
        {
            // Act
            var result = await fuzzer.RunCaseAsync(session, c);

            // Assert
            Assert.Equal(FuzzVerdict.Mismatch, result.Verdict);
            Assert.Contains("expected a hang", result.Summary, StringComparison.Ordinal);
            var match = System.Text.RegularExpressions.Regex.Match(result.ReproCommand, @"^\./hwgen sim configs/tiny\.yaml --program (\S+\.s) --memory (\S+\.bin) --seed 5 --latency 2 --stall-pct 0 --jitter 0$");
            Assert.True(match.Success, result.ReproCommand);
            var replay = AssembledProgram.Load(match.Groups[1].Value, match.Groups[2].Value);
            var original = WorkloadCompiler.Compile(session.Design, WorkloadSpec.Parse(c.SeededWorkload));
            Assert.Equal(original.Length, replay.Length);
            Assert.Equal(1, replay.Instructions.Zip(original.Instructions).Count(p => !p.First.Encode().AsSpan().SequenceEqual(p.Second.Encode())));
            Assert.False(TokenChecker.Check(session.Design, replay.Instructions).Ok);
            Assert.True(GoldenSimulator.Run(session.Design, replay).Ok);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
