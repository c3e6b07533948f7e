using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Workloads;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>The store-path Transformer units (GELU, Softmax) on the RTL against the golden model, bit for bit.</summary>
[Collection(CosimGroup.Name)]
public sealed class TransformerUnitCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private readonly RowUnitCosim cosim = new(fixture, output);

    /// <summary>Configurations × widths 1, 5, 16, 17, 768, 3072 (few rows for the wide ones).</summary>
    public static TheoryData<string, int, int> Widths()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var config in RowUnitCosim.Configs)
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
        // Arrange, Act and Assert: compile, co-simulate, bit-exact with GELU's accuracy within 1.5 LSB
        await cosim.RunBitExactAsync(config, d => RowOpCompiler.Compile(d, GeluWorkload.Create(rows, cols, seed: 5)), "gelu", 1.5);
    }

    [SkippableTheory]
    [InlineData("tiny", 20, 9, 13)]
    [InlineData("small", 33, 40, 64)]
    [InlineData("default", 64, 100, 96)]
    public async Task Gemm_with_fused_gelu_matches_the_golden_model_bit_for_bit(string config, int m, int n, int k)
    {
        // Arrange, Act and Assert
        await cosim.RunBitExactAsync(config,
            d => GemmCompiler.Compile(d, GemmWorkload.CreateGelu(m, n, k, seed: 9), d.SupportWs ? Dataflow.Ws : Dataflow.Os), "gelu", 2.0);
    }

    [SkippableTheory]
    [InlineData("tiny", 101)]
    [InlineData("small", 202)]
    [InlineData("default", 303)]
    public async Task Seeded_random_gelu_shapes_match_the_golden_model(string config, int seed)
    {
        // Arrange
        var rng = new SeededRandom((ulong)seed);
        var cols = 1 + rng.Next(300);
        var rows = 1 + rng.Next(40);

        // Act and Assert
        await cosim.RunBitExactAsync(config, d => RowOpCompiler.Compile(d, GeluWorkload.Create(rows, cols, (ulong)seed)), options: RowUnitCosim.Stressed((ulong)seed));
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
        // Arrange, Act and Assert: instruction 2 of a GELU program (a config_post) replaced with the bad one
        await cosim.AssertFaultsAlikeAsync("tiny", d => RowOpCompiler.Compile(d, GeluWorkload.Create(4, 6, seed: 2)), 2, mnemonic + " " + fields, "bad_field");
    }

    /// <summary>Configurations × widths 1, 5, 16, 17, 768, 3072, with and without the causal mask (few rows when wide).</summary>
    public static TheoryData<string, int, int, bool> SoftmaxWidths()
    {
        var data = new TheoryData<string, int, int, bool>();
        foreach (var config in RowUnitCosim.Configs)
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
        // Arrange, Act and Assert
        await cosim.RunBitExactAsync(config, d => RowOpCompiler.Compile(d, SoftmaxWorkload.Create(rows, cols, causal, seed: 7)), "softmax", 1.0);
    }

    [SkippableTheory]
    [InlineData("tiny", 404)]
    [InlineData("small", 505)]
    [InlineData("default", 606)]
    public async Task Seeded_random_softmax_shapes_and_masks_match_the_golden_model(string config, int seed)
    {
        // Arrange
        var rng = new SeededRandom((ulong)seed);
        var cols = 1 + rng.Next(300);
        var rows = 1 + rng.Next(24);
        var causal = rng.Next(2) == 1;

        // Act and Assert
        await cosim.RunBitExactAsync(config, d => RowOpCompiler.Compile(d, SoftmaxWorkload.Create(rows, cols, causal, (ulong)seed)),
            options: RowUnitCosim.Stressed((ulong)seed));
    }

    [SkippableFact]
    public async Task Many_short_softmax_rows_keep_three_rows_in_flight_without_waiting_for_the_divider_wrongly()
    {
        // Arrange, Act and Assert: single-block rows make every pass one cycle, so the walker waits on the reciprocal of
        // each row while the next two rows' passes are in flight; 40 rows cover every row context many times.
        await cosim.RunBitExactAsync("default", d => RowOpCompiler.Compile(d, SoftmaxWorkload.Create(40, 3, causal: true, seed: 12)), "softmax", 1.0);
    }

    public static TheoryData<string, string> BadNormalizes() => new()
    {
        { "normalize rows=1 width=0", "bad_field" },
        { "normalize rows=1 width=4097", "bad_field" },
        { "normalize func=3 rows=1 width=4", "bad_field" },
        { "normalize func=add causal=1 rows=1 width=4", "bad_field" },
        { "normalize rows=0 width=4", "bad_field" },
        { "normalize rows=65 width=16 local_addr=0", "acc_range" },
        { "normalize rows=1 width=8 local_addr=255", "acc_range" },
        { "config_post reg=add_out_mult value=2147483648", "bad_field" },
        { "config_post reg=add_out_shift value=63", "bad_field" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadNormalizes))]
    public async Task Out_of_range_normalize_fields_fault_alike_on_the_RTL_and_the_golden_model(string insn, string fault)
    {
        // Arrange, Act and Assert: instruction 1 of a tiny Softmax program (a config_post) replaced with the bad one
        await cosim.AssertFaultsAlikeAsync("tiny", d => RowOpCompiler.Compile(d, SoftmaxWorkload.Create(4, 6, seed: 2)), 1, insn, fault);
    }
}
