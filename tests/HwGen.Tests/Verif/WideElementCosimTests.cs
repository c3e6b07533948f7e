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

/// <summary>The 16-bit residual stream on the RTL against the golden model, bit for bit: <c>load elem16</c> and <c>normalize wide</c>.</summary>
[Collection(CosimGroup.Name)]
public sealed class WideElementCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private readonly RowUnitCosim cosim = new(fixture, output);

    private const int XAddr = 0x101;
    private const int IdentityAddr = 0x1001;
    private const int YAddr = 0x1800;

    /// <summary>
    /// A DRAM image with N rows of N random int16 (the edge values first) at the odd address XAddr, stride 2N + 3, an
    /// int8 N x N identity at IdentityAddr and poison from YAddr on.
    /// </summary>
    private static byte[] Image(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var image = new byte[0x4000];
        short[] edges = [32767, -32768, 32639, 32640, -32640, -32641, 127, 128, -128, -129, 0, -1, 383, -384];
        for (var r = 0; r < n; r++)
        {
            for (var e = 0; e < n; e++)
            {
                var i = (r * n) + e;
                var v = i < edges.Length ? edges[i] : (short)(rng.Next(1 << 16) - (1 << 15));
                BinaryPrimitives.WriteInt16LittleEndian(image.AsSpan(XAddr + (r * ((2 * n) + 3)) + (2 * e), 2), v);
            }

            image[IdentityAddr + (r * n) + r] = 1;
        }

        image.AsSpan(YAddr, 0x1000).Fill(0xA5);
        return image;
    }

    /// <summary>
    /// Loads the int16 rows with elem16 into the scratchpad (plain and transposed) and the accumulator, multiplies the
    /// scratchpad rows by the identity and stores everything: the narrowed bytes exactly, the accumulator's int16 through
    /// shifts 0 and 8.
    /// </summary>
    private static CompiledProgram LoadProgram(DesignModel d, ulong seed)
    {
        var n = d.Cols;
        var s = (2 * n) + 3;
        var transposed = d.TransposedLoad
            ? string.Create(CultureInfo.InvariantCulture, $"load target=sp_t elem16=1 rows={n} cols={n - 1} local_addr={n} dram_addr={XAddr} dram_stride={s}")
            : string.Create(CultureInfo.InvariantCulture, $"load elem16=1 rows={n - 1} cols={n} local_addr={n} dram_addr={XAddr + 1} dram_stride={s}");
        var text = string.Create(CultureInfo.InvariantCulture, $"""
            load elem16=1 rows={n} cols={n} local_addr=0 dram_addr={XAddr} dram_stride={s}
            {transposed}
            load rows={n} cols={n} local_addr={3 * n} dram_addr={IdentityAddr} dram_stride={n}
            load target=acc elem16=1 rows={n} cols={n - 1} local_addr={2 * n} dram_addr={XAddr} dram_stride={s} push_next=1
            compute rows={n} k={n} a_addr=0 b_addr={3 * n} c_addr=0 pop_prev=1
            compute rows={n - 1} k={n} a_addr={n} b_addr={3 * n} c_addr={n} push_next=1
            config_store multiplier=1 shift=0
            store rows={n} cols={n} local_addr=0 dram_addr={YAddr} dram_stride={n} pop_prev=1
            store rows={n - 1} cols={n} local_addr={n} dram_addr={YAddr + 0x100} dram_stride={n}
            store rows={n} cols={n} local_addr={2 * n} dram_addr={YAddr + 0x200} dram_stride={n}
            config_store multiplier=1 shift=8
            store rows={n} cols={n} local_addr={2 * n} dram_addr={YAddr + 0x300} dram_stride={n}
            """);
        return AssembledProgram.Create("elem16-loads", AssembledProgram.Words(text), Image(n, seed));
    }

    [SkippableTheory]
    [InlineData("tiny")]
    [InlineData("small")]
    [InlineData("default")]
    public async Task Elem16_loads_into_every_target_match_the_golden_model_bit_for_bit(string config)
    {
        // Arrange
        var program = LoadProgram(cosim.Design(config), seed: 5);
        var golden = GoldenSimulator.Run(cosim.Design(config), program);

        // Act
        var report = await cosim.RunBitExactAsync(config, _ => program);

        // Assert: the program is not vacuous (saturated and negative narrowed bytes reach DRAM)
        Assert.True(golden.Ok, golden.FaultDetail);
        Assert.Equal(127, (sbyte)golden.Dram[YAddr]);
        Assert.Equal(-128, (sbyte)golden.Dram[YAddr + 1]);
        Assert.Equal(golden.DmaReadBytes, (long)report.DmaReadBytes);
    }

    [SkippableFact]
    public async Task Elem16_loads_under_bus_stalls_and_jitter_match_the_golden_model()
    {
        // Arrange, Act and Assert
        await cosim.RunBitExactAsync("small", d => LoadProgram(d, seed: 9), options: RowUnitCosim.Stressed(9));
    }

    private const int GbAddr = 0x2000;
    private const int WideAddr = 0x2800;
    private const int OutAddr = 0x3001;

    /// <summary>
    /// Row instructions of width W = 2N + 3 (three blocks, the last partial) on 3 logical rows: LayerNorm wide and
    /// narrow, add wide with a residual, Softmax, and an add wide without residual at multiplier 1, shift 0, which
    /// copies int16 rows loaded with elem16 back to DRAM unchanged. Outputs at odd addresses with odd strides.
    /// </summary>
    private static CompiledProgram NormalizeProgram(DesignModel d, ulong seed)
    {
        var n = d.Cols;
        var w = (2 * n) + 3;
        var rng = new SeededRandom(seed);
        var image = new byte[0x6000];
        for (var i = 0; i < 18 * n; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(image.AsSpan(4 * i, 4), rng.Next(1 << 21) - (1 << 20));
        }

        for (var row = 0; row < 6; row++)
        {
            for (var j = 0; j < n; j++)
            {
                var v = row % 2 == 0 ? 8000 + rng.Next(24000) : rng.Next(1 << 13) - (1 << 12);
                BinaryPrimitives.WriteInt32LittleEndian(image.AsSpan(GbAddr + (4 * ((row * n) + j)), 4), v);
            }
        }

        for (var i = 0; i < 3 * w; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(image.AsSpan(WideAddr + (2 * i), 2), (short)(rng.Next(1 << 16) - (1 << 15)));
        }

        image.AsSpan(OutAddr - 1, 0x2000).Fill(0xA5);
        var c = IntLayerNormConstants.FromScales(w, 1.0, 1.0, 1.0 / 16384, 2.0 / 127);
        var ws = (2 * w) + 3;
        var text = string.Create(CultureInfo.InvariantCulture, $"""
            load target=acc rows=18 cols={n} local_addr=0 dram_addr=0 dram_stride={4 * n}
            load target=acc rows=6 cols={n} local_addr=40 dram_addr={GbAddr} dram_stride={4 * n}
            load target=acc elem16=1 rows=3 cols={n} local_addr=60 dram_addr={WideAddr} dram_stride={2 * w}
            load target=acc elem16=1 rows=3 cols={n} local_addr=63 dram_addr={WideAddr + (2 * n)} dram_stride={2 * w}
            load target=acc elem16=1 rows=3 cols=3 local_addr=66 dram_addr={WideAddr + (4 * n)} dram_stride={2 * w} push_next=1
            compute rows=1 k=1 c_addr=100 pop_prev=1 push_next=1
            config_post reg=ln_res_mult value={c.Residual!.Multiplier}
            config_post reg=ln_res_shift value={c.Residual.Shift}
            config_post reg=ln_out_mult value={c.Output.Multiplier}
            config_post reg=ln_out_shift value={c.Output.Shift}
            config_post reg=ln_affine value=40
            config_post reg=ln_residual value=10
            config_post reg=add_out_mult value=1073741824
            config_post reg=add_out_shift value=36
            config_post reg=softmax_mult value=1073741824
            config_post reg=softmax_shift value=44
            normalize func=layernorm wide=1 rows=3 width={w} local_addr=0 dram_addr={OutAddr} dram_stride={ws} pop_prev=1
            normalize func=layernorm rows=3 width={w} local_addr=0 dram_addr={OutAddr + 0x200} dram_stride={w + 2}
            normalize func=add wide=1 rows=3 width={w} local_addr=0 dram_addr={OutAddr + 0x400} dram_stride={ws}
            normalize func=softmax rows=3 width={w} local_addr=9 dram_addr={OutAddr + 0x600} dram_stride={w + 2}
            normalize func=layernorm wide=1 rows=2 width={n + 1} local_addr=0 dram_addr={OutAddr + 0x800} dram_stride={ws}
            config_post reg=ln_residual value=0
            config_post reg=add_out_mult value=1
            config_post reg=add_out_shift value=0
            normalize func=add wide=1 rows=3 width={w} local_addr=60 dram_addr={OutAddr + 0xA00} dram_stride={ws}
            """);
        return AssembledProgram.Create("wide-normalize", AssembledProgram.Words(text), image);
    }

    [SkippableTheory]
    [InlineData("tiny")]
    [InlineData("small")]
    [InlineData("default")]
    public async Task Wide_layernorm_and_add_rows_match_the_golden_model_bit_for_bit(string config)
    {
        // Arrange
        var d = cosim.Design(config);
        var program = NormalizeProgram(d, seed: 21);
        var golden = GoldenSimulator.Run(d, program);
        var w = (2 * d.Cols) + 3;

        // Act
        var report = await cosim.RunBitExactAsync(config, _ => program);

        // Assert: the elem16 rows come back unchanged through add wide, and LayerNorm wide leaves the int8 range
        Assert.True(golden.Ok, golden.FaultDetail);
        for (var r = 0; r < 3; r++)
        {
            Assert.Equal(program.Dram.AsSpan(WideAddr + (r * 2 * w), 2 * w).ToArray(), golden.Dram.AsSpan(OutAddr + 0xA00 + (r * ((2 * w) + 3)), 2 * w).ToArray());
        }

        var lnWide = Enumerable.Range(0, w).Select(j => BinaryPrimitives.ReadInt16LittleEndian(golden.Dram.AsSpan(OutAddr + (2 * j), 2)));
        Assert.Contains(lnWide, v => v is > 127 or < -128);
        Assert.Equal(golden.DmaWriteBytes, (long)report.DmaWriteBytes);
    }

    [SkippableFact]
    public async Task Wide_rows_under_bus_stalls_and_jitter_match_the_golden_model()
    {
        // Arrange, Act and Assert
        await cosim.RunBitExactAsync("small", d => NormalizeProgram(d, seed: 4), options: RowUnitCosim.Stressed(4));
    }

    [SkippableTheory]
    [InlineData("normalize func=softmax wide=1 rows=1 width=4", "bad_field")]
    [InlineData("normalize func=softmax causal=1 wide=1 rows=1 width=4", "bad_field")]
    public async Task A_wide_softmax_faults_with_bad_field_alike_on_the_RTL_and_the_golden_model(string insn, string fault)
    {
        // Arrange, Act and Assert: instruction 1 of a tiny LayerNorm program (a config_post) replaced with the bad one
        await cosim.AssertFaultsAlikeAsync("tiny", d => RowOpCompiler.Compile(d, LayerNormWorkload.Create(3, 6, residual: true, seed: 2)), 1, insn, fault);
    }
}
