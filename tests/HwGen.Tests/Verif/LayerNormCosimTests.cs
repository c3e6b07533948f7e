using System.Buffers.Binary;
using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>The store-path LayerNorm unit (normalize func=layernorm) on the RTL against the golden model, bit for bit.</summary>
[Collection(CosimGroup.Name)]
public sealed class LayerNormCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private readonly RowUnitCosim cosim = new(fixture, output);

    /// <summary>Configurations × widths 1, 5, 16, 17, 768, 3072, with and without the residual (few rows when wide).</summary>
    public static TheoryData<string, int, int, bool> Widths()
    {
        var data = new TheoryData<string, int, int, bool>();
        foreach (var config in RowUnitCosim.Configs)
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
        // Arrange, Act and Assert
        await cosim.RunBitExactAsync(config, d => RowOpCompiler.Compile(d, LayerNormWorkload.Create(rows, cols, residual, seed: 11)), "layernorm", 2.0);
    }

    [SkippableTheory]
    [InlineData("tiny", 7, 5, true, 16)]
    [InlineData("tiny", 4, 17, false, 3)]
    [InlineData("tiny", 9, 4, true, 47)]
    [InlineData("small", 6, 40, true, 16)]
    [InlineData("default", 5, 768, true, 16)]
    [InlineData("default", 12, 16, true, 20)]
    public async Task LayerNorm_with_the_per_column_input_rescale_matches_the_golden_model_bit_for_bit(string config, int rows, int cols, bool residual, int shift)
    {
        // Arrange, Act and Assert: ln_in_shift set, γ's words carry the multipliers (one-block rows read them in the
        // cycle the fill writes them)
        await cosim.RunBitExactAsync(config, d => RowOpCompiler.Compile(d, LayerNormWorkload.Create(rows, cols, residual, seed: 21, inShift: shift)), "layernorm", 2.0);
    }

    [SkippableTheory]
    [InlineData("tiny", 7, 5, true, 16)]
    [InlineData("tiny", 1, 3, true, 12)]
    [InlineData("tiny", 4, 17, false, 3)]
    [InlineData("small", 6, 40, true, 16)]
    [InlineData("default", 5, 768, true, 16)]
    [InlineData("default", 12, 16, true, 20)]
    public async Task LayerNorm_with_per_column_residual_multipliers_matches_the_golden_model_bit_for_bit(string config, int rows, int cols, bool residual, int shift)
    {
        // Arrange: column mode with A_j drawn per column (res_cols=1), so the third γ/β row of a block differs by column
        var w = LayerNormWorkload.Create(rows, cols, residual, seed: 23, inShift: shift, residualColumns: true);

        // Act and Assert
        Assert.True(!residual || w.ResidualMultipliers.Distinct().Count() > 1 || cols == 1);
        await cosim.RunBitExactAsync(config, d => RowOpCompiler.Compile(d, w), "layernorm", 2.0);
    }

    [SkippableTheory]
    [InlineData(13, 160)]
    [InlineData(5, 200)]
    public async Task LayerNorm_with_x_and_residual_in_one_accumulator_bank_matches_the_golden_model(int rows, int cols)
    {
        // Arrange: on tiny these widths do not fit the split layout, so x and the residual share a half (160: two
        // buffers) or the whole accumulator (200: one buffer) and every block reads its two rows in two cycles.
        var design = cosim.Design("tiny");
        var program = RowOpCompiler.Compile(design, LayerNormWorkload.Create(rows, cols, residual: true, seed: 4));
        var norm = program.Instructions.First(i => i.Opcode == HwGen.Generator.Isa.Opcode.Normalize);
        var residualPost = program.Instructions.Last(i => i.Opcode == HwGen.Generator.Isa.Opcode.ConfigPost && i.Get64("reg") == 12 && i.Get64("value") != 0);
        var span = ((cols + design.Cols - 1) / design.Cols) * norm.Get64("rows");

        // Act
        var paired = MemoryPlan.PairedReads(design, norm.Get64("local_addr"), residualPost.Get64("value") - 1, span);

        // Assert
        Assert.False(paired);
        await cosim.RunBitExactAsync("tiny", _ => program, "layernorm", 2.0);
    }

    [Theory]
    [InlineData("tiny", 768)]
    [InlineData("small", 3072)]
    public void A_row_whose_blocks_do_not_fit_the_accumulator_is_a_clear_compile_error(string config, int cols)
    {
        // Arrange
        var design = cosim.Design(config);
        var w = LayerNormWorkload.Create(1, cols, residual: true, seed: 1);

        // Act
        var e = Assert.Throws<ArgumentException>(() => RowOpCompiler.Compile(design, w));

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
        var rng = new SeededRandom((ulong)seed);
        var cols = 1 + rng.Next(config == "tiny" ? 40 : 300);
        var rows = 1 + rng.Next(12);
        var residual = rng.Next(2) == 1;

        // Act and Assert
        await cosim.RunBitExactAsync(config, d => RowOpCompiler.Compile(d, LayerNormWorkload.Create(rows, cols, residual, (ulong)seed)),
            options: RowUnitCosim.Stressed((ulong)seed));
    }

    /// <summary>Bad LayerNorm instructions; tiny has 256 accumulator rows and 4 columns.</summary>
    public static TheoryData<string, string> BadLayerNorms() => new()
    {
        { "normalize func=layernorm causal=1 rows=1 width=4", "bad_field" },
        { "normalize func=layernorm wide=1 causal=1 rows=1 width=4", "bad_field" },
        { "normalize func=layernorm rows=1 width=4097", "bad_field" },
        { "config_post reg=ln_out_mult value=131072", "bad_field" },
        { "config_post reg=ln_residual value=65537", "bad_field" },
        { "normalize func=layernorm rows=1 width=8 local_addr=255", "acc_range" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadLayerNorms))]
    public async Task Out_of_range_layernorm_fields_fault_alike_on_the_RTL_and_the_golden_model(string insn, string fault)
    {
        // Arrange, Act and Assert: instruction 1 of a tiny LayerNorm program (a config_post) replaced with the bad one
        await cosim.AssertFaultsAlikeAsync("tiny", d => RowOpCompiler.Compile(d, LayerNormWorkload.Create(3, 6, residual: true, seed: 2)), 1, insn, fault);
    }

    [SkippableFact]
    public async Task A_residual_or_affine_span_outside_the_accumulator_faults_with_acc_range_alike()
    {
        // Arrange, Act and Assert: ln_affine (instruction 4) near the top of tiny's accumulator, so γ/β of the first
        // normalize overflow; the fault is the normalize's.
        var program = RowOpCompiler.Compile(cosim.Design("tiny"), LayerNormWorkload.Create(3, 6, residual: true, seed: 2));
        var firstNormalize = program.Instructions.ToList().FindIndex(i => i.Opcode == HwGen.Generator.Isa.Opcode.Normalize);
        await cosim.AssertFaultsAlikeAsync("tiny", _ => program, 4, "config_post reg=ln_affine value=254", "acc_range", firstNormalize);
    }

    [SkippableTheory]
    [InlineData(15, 254, "acc_range")]
    public async Task A_column_mode_add_faults_when_its_constant_rows_leave_the_accumulator_alike(int inShift, int affine, string fault)
    {
        // Arrange: an add of one 8-wide row (two blocks) on tiny (256 accumulator rows); in column mode it reads 3 rows per
        // block at ln_affine (254 + 6 > 256).
        var (image, _) = Image(seed: 4, width: 8);
        var program = AssembledProgram.Create("add-columns-range", AssembledProgram.Words(string.Create(CultureInfo.InvariantCulture, $"""
            load target=acc rows=2 cols=4 local_addr=0 dram_addr={XAddr} dram_stride=16
            config_post reg=add_out_mult value=1073741824
            config_post reg=add_out_shift value=36
            config_post reg=ln_in_shift value={inShift}
            config_post reg=ln_affine value={affine}
            normalize func=add rows=1 width=8 local_addr=0 dram_addr={YAddr} dram_stride=16
            """)), image);

        // Act and Assert: the same fault at the normalize on both
        await cosim.AssertFaultsAlikeAsync("tiny", _ => program, 5, "normalize func=add rows=1 width=8 local_addr=0 dram_addr=" + YAddr.ToString(CultureInfo.InvariantCulture) + " dram_stride=16", fault);
    }

    [SkippableFact]
    public async Task The_gamma_beta_cache_is_refilled_only_after_ln_affine_is_written()
    {
        // Arrange: normalize A fills the cache from γ/β set 1; a load then overwrites those rows with set 2; normalize B
        // (same rows, no config_post ln_affine) still uses set 1; after config_post ln_affine, normalize C uses set 2.
        var (image, consts) = Image(seed: 3, width: 8);
        var program = AssembledProgram.Create("gb-cache", AssembledProgram.Words(string.Create(CultureInfo.InvariantCulture, $"""
            load target=acc rows=6 cols=4 local_addr=0 dram_addr={XAddr} dram_stride=16
            load target=acc rows=4 cols=4 local_addr=100 dram_addr={Gb1Addr} dram_stride=16 push_next=1
            compute rows=1 k=1 c_addr=255 pop_prev=1 push_next=1
            {consts}
            config_post reg=ln_affine value=100
            normalize func=layernorm rows=3 width=8 local_addr=0 dram_addr={YAddr} dram_stride=16 pop_prev=1 push_prev=1
            compute rows=1 k=1 c_addr=255 pop_next=1 push_prev=1
            load target=acc rows=4 cols=4 local_addr=100 dram_addr={Gb2Addr} dram_stride=16 pop_next=1 push_next=1
            compute rows=1 k=1 c_addr=255 pop_prev=1 push_next=1
            normalize func=layernorm rows=3 width=8 local_addr=0 dram_addr={YAddr + 64} dram_stride=16 pop_prev=1
            config_post reg=ln_affine value=100
            normalize func=layernorm rows=3 width=8 local_addr=0 dram_addr={YAddr + 128} dram_stride=16
            """)), image);

        // Act
        var golden = GoldenSimulator.Run(cosim.Design("tiny"), program);
        await cosim.RunBitExactAsync("tiny", _ => program);

        // Assert: the program does what its comment says (the RTL agreed byte for byte above)
        Assert.True(golden.Ok, golden.FaultDetail);
        Assert.Equal(golden.Dram.AsSpan(YAddr, 48).ToArray(), golden.Dram.AsSpan(YAddr + 64, 48).ToArray());
        Assert.NotEqual(golden.Dram.AsSpan(YAddr, 48).ToArray(), golden.Dram.AsSpan(YAddr + 128, 48).ToArray());
    }

    [SkippableFact]
    public async Task Back_to_back_row_instructions_of_different_functions_and_widths_match_the_golden_model()
    {
        // Arrange: one store queue of LayerNorm (widths 9, 5, 13: the last one refills the γ/β cache), add and Softmax
        // normalizes with no token between them, so each starts while the previous one's last blocks are in flight.
        var (image, consts) = Image(seed: 8, width: 8);
        var program = AssembledProgram.Create("mixed", AssembledProgram.Words(string.Create(CultureInfo.InvariantCulture, $"""
            load target=acc rows=24 cols=4 local_addr=0 dram_addr={XAddr} dram_stride=16
            load target=acc rows=8 cols=4 local_addr=100 dram_addr={Gb1Addr} dram_stride=16 push_next=1
            compute rows=1 k=1 c_addr=255 pop_prev=1 push_next=1
            {consts}
            config_post reg=ln_affine value=100
            config_post reg=ln_residual value=13
            config_post reg=add_out_mult value=1518500250
            config_post reg=add_out_shift value=50
            config_post reg=softmax_mult value=1073741824
            config_post reg=softmax_shift value=36
            normalize func=layernorm rows=2 width=9 local_addr=0 dram_addr={YAddr} dram_stride=16 pop_prev=1
            normalize func=layernorm rows=3 width=5 local_addr=1 dram_addr={YAddr + 32} dram_stride=16
            normalize func=add rows=2 width=7 local_addr=2 dram_addr={YAddr + 80} dram_stride=16
            normalize func=softmax causal=1 rows=3 width=6 local_addr=3 dram_addr={YAddr + 112} dram_stride=16 mask_offset=1
            normalize func=layernorm rows=1 width=13 local_addr=4 dram_addr={YAddr + 160} dram_stride=16
            normalize func=add rows=4 width=3 local_addr=5 dram_addr={YAddr + 176} dram_stride=16
            """)), image);

        // Act and Assert
        var golden = GoldenSimulator.Run(cosim.Design("tiny"), program);
        Assert.True(golden.Ok, golden.FaultDetail);
        await cosim.RunBitExactAsync("tiny", _ => program);
    }

    private const int XAddr = 0;
    private const int Gb1Addr = 0x400;
    private const int Gb2Addr = 0x500;
    private const int YAddr = 0x800;

    /// <summary>
    /// A DRAM image for hand-written tiny programs: 24 int32 rows of 4 (±2^20) at XAddr, two γ/β sets of 8 rows (γ
    /// int16, β ±2^12) at Gb1Addr and Gb2Addr, poison at YAddr; and the config_post lines of LayerNorm constants for
    /// these magnitudes.
    /// </summary>
    private static (byte[] Image, string Constants) Image(ulong seed, int width)
    {
        var rng = new SeededRandom(seed);
        var image = new byte[0x1000];
        for (var i = 0; i < 24 * 4; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(image.AsSpan(XAddr + (4 * i), 4), rng.Next(1 << 21) - (1 << 20));
        }

        foreach (var at in new[] { Gb1Addr, Gb2Addr })
        {
            for (var row = 0; row < 8; row++)
            {
                for (var j = 0; j < 4; j++)
                {
                    var v = row % 2 == 0 ? 8000 + rng.Next(24000) : rng.Next(1 << 13) - (1 << 12);
                    BinaryPrimitives.WriteInt32LittleEndian(image.AsSpan(at + (16 * row) + (4 * j), 4), v);
                }
            }
        }

        image.AsSpan(YAddr, 0x400).Fill(GemmCompiler.Poison);
        var c = IntLayerNormConstants.FromScales(width, 1.0, 1.0, 1.0 / 16384, 2.0 / 127);
        var lines = string.Create(CultureInfo.InvariantCulture, $"""
            config_post reg=ln_res_mult value={c.Residual!.Multiplier}
            config_post reg=ln_res_shift value={c.Residual.Shift}
            config_post reg=ln_out_mult value={c.Output.Multiplier}
            config_post reg=ln_out_shift value={c.Output.Shift}
            """);
        return (image, lines);
    }
}
