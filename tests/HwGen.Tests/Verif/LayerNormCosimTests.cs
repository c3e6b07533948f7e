using System.Globalization;
using HwGen.Software.Compiler;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>The store-path LayerNorm unit (normalize func=layernorm) on the RTL against the golden model, bit for bit.</summary>
[Collection(CosimGroup.Name)]
public sealed class LayerNormCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private static readonly CosimOptions Bounded = new() { MaxCycles = 20_000_000, Watchdog = 500_000 };

    /// <summary>Configurations × widths 1, 5, 16, 17, 768, 3072, with and without the residual (few rows when wide).</summary>
    public static TheoryData<string, int, int, bool> Widths()
    {
        var data = new TheoryData<string, int, int, bool>();
        foreach (var config in new[] { "tiny", "small", "default" })
        {
            foreach (var (cols, rows, residual) in new[] { (1, 5, true), (5, 7, false), (16, 9, true), (17, 6, true), (17, 4, false), (768, 2, true), (3072, 1, true) })
            {
                // tiny (256 accumulator rows) and small cannot hold x, residual and γ/β of the widest rows (see the compile-error test).
                if ((config != "tiny" || cols <= 17) && (config != "small" || cols <= 768))
                {
                    data.Add(config, rows, cols, residual);
                }
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Widths))]
    public async Task LayerNorm_rows_of_any_width_match_the_golden_model_bit_for_bit(string config, int rows, int cols, bool residual)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = RowOpCompiler.Compile(session.Design, LayerNormWorkload.Create(rows, cols, residual, seed: 11));

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Empty(report.Problems);
        var accuracy = Assert.Single(report.Accuracy);
        Assert.Equal("layernorm", accuracy.Kernel);
        Assert.InRange(accuracy.MaxAbsLsb, 0.0, 2.0);
    }

    [Theory]
    [InlineData("tiny", 768)]
    [InlineData("small", 3072)]
    public void A_row_whose_blocks_do_not_fit_the_accumulator_is_a_clear_compile_error(string config, int cols)
    {
        // Arrange
        var session = fixture.Session(config);
        var w = LayerNormWorkload.Create(1, cols, residual: true, seed: 1);

        // Act
        var e = Assert.Throws<ArgumentException>(() => RowOpCompiler.Compile(session.Design, w));

        // Assert
        Assert.Contains("accumulator.kib or array.cols must grow", e.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("tiny", 707)]
    [InlineData("small", 808)]
    [InlineData("default", 909)]
    public async Task Seeded_random_layernorm_shapes_match_the_golden_model(string config, int seed)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var rng = new SeededRandom((ulong)seed);
        var cols = 1 + rng.Next(config == "tiny" ? 40 : 300);
        var rows = 1 + rng.Next(12);
        var program = RowOpCompiler.Compile(session.Design, LayerNormWorkload.Create(rows, cols, rng.Next(2) == 1, (ulong)seed));

        // Act
        var report = await session.RunAsync(program, Bounded with { Seed = (ulong)seed, StallPercent = 20, Jitter = 4 });

        // Assert
        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Empty(report.Problems);
    }

    /// <summary>Bad LayerNorm instructions; tiny has 256 accumulator rows and 4 columns.</summary>
    public static TheoryData<string, string> BadLayerNorms() => new()
    {
        { "normalize func=layernorm causal=1 rows=1 width=4", "bad_field" },
        { "normalize func=3 rows=1 width=4", "bad_field" },
        { "normalize func=layernorm rows=1 width=4097", "bad_field" },
        { "config_post reg=ln_out_mult value=131072", "bad_field" },
        { "config_post reg=ln_residual value=65537", "bad_field" },
        { "normalize func=layernorm rows=1 width=8 local_addr=255", "acc_range" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadLayerNorms))]
    public async Task Out_of_range_layernorm_fields_fault_alike_on_the_RTL_and_the_golden_model(string insn, string fault)
    {
        // Arrange: replace instruction 1 of a tiny LayerNorm program (a config_post) with the bad one.
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = RowOpCompiler.Compile(session.Design, LayerNormWorkload.Create(3, 6, residual: true, seed: 2));
        var bad = HwGen.Generator.Isa.Assembler.Assemble(insn).Single();
        bad.Encode().CopyTo(program.Dram, program.ProgramAddress + (1 * HwGen.Generator.Isa.IsaSpec.InstructionBytes));

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(fault, report.GoldenFault.Name);
        Assert.Equal(1, report.RtlFault.Pc);
    }

    [SkippableFact]
    public async Task A_residual_or_affine_span_outside_the_accumulator_faults_with_acc_range_alike()
    {
        // Arrange: point ln_affine (instruction 4) near the top of tiny's accumulator, so γ/β of the first normalize overflow.
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = RowOpCompiler.Compile(session.Design, LayerNormWorkload.Create(3, 6, residual: true, seed: 2));
        var bad = HwGen.Generator.Isa.Assembler.Assemble("config_post reg=ln_affine value=254").Single();
        bad.Encode().CopyTo(program.Dram, program.ProgramAddress + (4 * HwGen.Generator.Isa.IsaSpec.InstructionBytes));

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal("acc_range", report.GoldenFault.Name);
    }

    private void Log(CosimReport r) => output.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Config} {r.Workload}: match={r.Match} cycles={r.Cycles} accuracy={string.Join("; ", r.Accuracy.Select(a => $"{a.Kernel} max {a.MaxAbs:G3} ({a.MaxAbsLsb:F2} LSB) rms {a.Rms:G3} ({a.RmsLsb:F2} LSB)"))}"));
}
