using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Programs;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// The setup the row-unit co-simulation tests (GELU, Softmax, LayerNorm, residual add) share: the run bounds, the
/// compile-run-assert of a bit-exact run, the stressed options of the randomized tests, the patching of one
/// instruction for the fault tests, and the log line.
/// </summary>
internal sealed class RowUnitCosim(CosimFixture fixture, ITestOutputHelper output)
{
    /// <summary>Cycle and watchdog bounds for every row-unit run.</summary>
    public static readonly CosimOptions Bounded = new() { MaxCycles = 20_000_000, Watchdog = 500_000 };

    /// <summary>The shipped configurations the row units are co-simulated on.</summary>
    public static readonly string[] Configs = ["tiny", "small", "default"];

    /// <summary>Bounded, with a seed, 20 % AXI stalls and a jitter of 4 cycles (randomized tests).</summary>
    public static CosimOptions Stressed(ulong seed) => Bounded with { Seed = seed, StallPercent = 20, Jitter = 4 };

    /// <summary>The design of a shipped configuration.</summary>
    public DesignModel Design(string config) => fixture.Session(config).Design;

    /// <summary>
    /// Compiles a program for <paramref name="config"/>, co-simulates it and asserts a bit-exact, fault-free run; when
    /// <paramref name="kernel"/> is given, also that the report's single accuracy entry is that kernel's and within
    /// <paramref name="maxLsb"/> output LSBs of the float function.
    /// </summary>
    public async Task<CosimReport> RunBitExactAsync(string config, Func<DesignModel, CompiledProgram> compile, string? kernel = null,
        double maxLsb = 1.0, CosimOptions? options = null)
    {
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = compile(session.Design);

        var report = await session.RunAsync(program, options ?? Bounded);

        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Empty(report.Problems);
        if (kernel is not null)
        {
            var accuracy = Assert.Single(report.Accuracy);
            Assert.Equal(kernel, accuracy.Kernel);
            Assert.InRange(accuracy.MaxAbsLsb, 0.0, maxLsb);
        }

        return report;
    }

    /// <summary>
    /// Replaces instruction <paramref name="pc"/> of a compiled program with <paramref name="insn"/> (assembly), runs
    /// it, and asserts that the RTL and the golden model agree, that the golden model faults with
    /// <paramref name="fault"/> and that the RTL names instruction <paramref name="faultPc"/> (default: <paramref name="pc"/>).
    /// </summary>
    public async Task AssertFaultsAlikeAsync(string config, Func<DesignModel, CompiledProgram> compile, int pc, string insn, string fault, int? faultPc = null)
    {
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = compile(session.Design);
        Assembler.Assemble(insn).Single().Encode().CopyTo(program.Dram, program.ProgramAddress + (pc * IsaSpec.InstructionBytes));

        var report = await session.RunAsync(program, Bounded);

        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(fault, report.GoldenFault.Name);
        Assert.Equal(faultPc ?? pc, report.RtlFault.Pc);
    }

    /// <summary>Writes the report's cycles and accuracy to the test output.</summary>
    public void Log(CosimReport r) => output.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Config} {r.Workload}: match={r.Match} cycles={r.Cycles} accuracy={string.Join("; ", r.Accuracy.Select(a => $"{a.Kernel} max {a.MaxAbs:G3} ({a.MaxAbsLsb:F2} LSB) rms {a.Rms:G3} ({a.RmsLsb:F2} LSB)"))}"));
}
