using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>The store-path Transformer units (GELU, Softmax) on the RTL against the golden model, bit for bit.</summary>
[Collection(CosimGroup.Name)]
public sealed class TransformerUnitCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private static readonly CosimOptions Bounded = new() { MaxCycles = 20_000_000, Watchdog = 500_000 };

    /// <summary>Configurations × widths 1, 5, 16, 17, 768, 3072 (few rows for the wide ones).</summary>
    public static TheoryData<string, int, int> Widths()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var config in new[] { "tiny", "small", "default" })
        {
            foreach (var (cols, rows) in new[] { (1, 7), (5, 9), (16, 20), (17, 13), (768, 3), (3072, 2) })
            {
                data.Add(config, rows, cols);
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Widths))]
    public async Task Gelu_rows_of_any_width_match_the_golden_model_bit_for_bit(string config, int rows, int cols)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = RowOpCompiler.Compile(session.Design, GeluWorkload.Create(rows, cols, seed: 5));

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Empty(report.Problems);
        var accuracy = Assert.Single(report.Accuracy);
        Assert.Equal("gelu", accuracy.Kernel);
        Assert.InRange(accuracy.MaxAbsLsb, 0.0, 1.5);
    }

    [SkippableTheory]
    [InlineData("tiny", 20, 9, 13)]
    [InlineData("small", 33, 40, 64)]
    [InlineData("default", 64, 100, 96)]
    public async Task Gemm_with_fused_gelu_matches_the_golden_model_bit_for_bit(string config, int m, int n, int k)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var workload = GemmWorkload.CreateGelu(m, n, k, seed: 9);
        var program = GemmCompiler.Compile(session.Design, workload, session.Design.SupportWs == 1 ? Dataflow.Ws : Dataflow.Os);

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Empty(report.Problems);
        Assert.Equal("gelu", Assert.Single(report.Accuracy).Kernel);
    }

    [SkippableTheory]
    [InlineData("tiny", 101)]
    [InlineData("small", 202)]
    [InlineData("default", 303)]
    public async Task Seeded_random_gelu_shapes_match_the_golden_model(string config, int seed)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var rng = new SeededRandom((ulong)seed);
        var cols = 1 + rng.Next(300);
        var rows = 1 + rng.Next(40);
        var program = RowOpCompiler.Compile(session.Design, GeluWorkload.Create(rows, cols, (ulong)seed));

        // Act
        var report = await session.RunAsync(program, Bounded with { Seed = (ulong)seed, StallPercent = 20, Jitter = 4 });

        // Assert
        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Empty(report.Problems);
    }

    public static TheoryData<string, string> BadInstructions() => new()
    {
        { "config_post", "reg=200 value=1" },
        { "config_post", "reg=gelu_one value=32769" },
        { "config_post", "reg=gelu_offset value=0x4000000000000000" },
        { "store", "func=2 rows=1 cols=1" },
        { "store", "func=3 rows=1 cols=1" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadInstructions))]
    public async Task Out_of_range_post_processing_fields_fault_with_bad_field_on_the_RTL_and_the_golden_model(string mnemonic, string fields)
    {
        // Arrange: replace instruction 2 of a GELU program (a config_post) with the bad one.
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = RowOpCompiler.Compile(session.Design, GeluWorkload.Create(4, 6, seed: 2));
        var bad = HwGen.Generator.Isa.Assembler.Assemble(mnemonic + " " + fields).Single();
        bad.Encode().CopyTo(program.Dram, program.ProgramAddress + (2 * HwGen.Generator.Isa.IsaSpec.InstructionBytes));

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal("bad_field", report.GoldenFault.Name);
        Assert.Equal(2, report.RtlFault.Pc);
    }

    /// <summary>Configurations × widths 1, 5, 16, 17, 768, 3072, with and without the causal mask (few rows when wide).</summary>
    public static TheoryData<string, int, int, bool> SoftmaxWidths()
    {
        var data = new TheoryData<string, int, int, bool>();
        foreach (var config in new[] { "tiny", "small", "default" })
        {
            foreach (var (cols, rows, causal) in new[] { (1, 7, false), (5, 9, true), (16, 20, false), (17, 13, true), (17, 6, false), (768, 3, true), (3072, 2, false) })
            {
                // tiny's 256-row accumulator cannot hold the 768 blocks of a 3072-wide row (see the compiler test).
                if (config != "tiny" || cols <= 768)
                {
                    data.Add(config, rows, cols, causal);
                }
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(SoftmaxWidths))]
    public async Task Softmax_rows_of_any_width_match_the_golden_model_bit_for_bit(string config, int rows, int cols, bool causal)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = RowOpCompiler.Compile(session.Design, SoftmaxWorkload.Create(rows, cols, causal, seed: 7));

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Empty(report.Problems);
        var accuracy = Assert.Single(report.Accuracy);
        Assert.Equal("softmax", accuracy.Kernel);
        Assert.InRange(accuracy.MaxAbsLsb, 0.0, 1.0);
    }

    [SkippableTheory]
    [InlineData("tiny", 404)]
    [InlineData("small", 505)]
    [InlineData("default", 606)]
    public async Task Seeded_random_softmax_shapes_and_masks_match_the_golden_model(string config, int seed)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var rng = new SeededRandom((ulong)seed);
        var cols = 1 + rng.Next(300);
        var rows = 1 + rng.Next(24);
        var program = RowOpCompiler.Compile(session.Design, SoftmaxWorkload.Create(rows, cols, rng.Next(2) == 1, (ulong)seed));

        // Act
        var report = await session.RunAsync(program, Bounded with { Seed = (ulong)seed, StallPercent = 20, Jitter = 4 });

        // Assert
        Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Empty(report.Problems);
    }

    public static TheoryData<string, string> BadNormalizes() => new()
    {
        { "normalize rows=1 width=0", "bad_field" },
        { "normalize rows=1 width=4097", "bad_field" },
        { "normalize func=2 rows=1 width=4", "bad_field" },
        { "normalize rows=0 width=4", "bad_field" },
        { "normalize rows=65 width=16 local_addr=0", "acc_range" },
        { "normalize rows=1 width=8 local_addr=255", "acc_range" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadNormalizes))]
    public async Task Out_of_range_normalize_fields_fault_alike_on_the_RTL_and_the_golden_model(string insn, string fault)
    {
        // Arrange: replace instruction 1 of a tiny Softmax program (a config_post) with the bad one.
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = RowOpCompiler.Compile(session.Design, SoftmaxWorkload.Create(4, 6, seed: 2));
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

    private void Log(CosimReport r) => output.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Config} {r.Workload}: match={r.Match} cycles={r.Cycles} accuracy={string.Join("; ", r.Accuracy.Select(a => $"{a.Kernel} max {a.MaxAbs:G3} ({a.MaxAbsLsb:F2} LSB) rms {a.Rms:G3} ({a.RmsLsb:F2} LSB)"))}"));
}
