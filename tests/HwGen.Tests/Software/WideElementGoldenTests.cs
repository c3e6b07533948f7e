using System.Buffers.Binary;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Golden;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Tests.Software;

/// <summary>The 16-bit residual stream on the golden model: <c>load elem16</c> and <c>normalize wide</c>.</summary>
public sealed class WideElementGoldenTests
{
    // 8 rows x 4 cols: SP rows of 8 bytes x 128, ACC rows of 4 int32 x 64; every unit.
    private static readonly DesignModel Mixed = DesignResolver.LoadText(
        "name: mixed\narray:\n  rows: 8\n  cols: 4\n  dataflow: ws\nscratchpad:\n  kib: 1\n  banks: 1\naccumulator:\n  kib: 1\n  banks: 2\n");

    private const int ProgramAddress = 0x800;

    private static readonly short[] Wide = [0, 127, 128, -129, -128, 32767, -32768, 383, -385, 255, 1000, -1000];

    private static (GoldenResult Result, GoldenSimulator Sim) Run(string asm, byte[] dram)
    {
        var code = Assembler.AssembleToBytes(asm);
        code.CopyTo(dram, ProgramAddress);
        var sim = new GoldenSimulator(Mixed);
        return (sim.Execute(dram, ProgramAddress, code.Length / IsaSpec.InstructionBytes), sim);
    }

    private static byte[] DramWithWideRows()
    {
        var dram = new byte[4096];
        for (var i = 0; i < Wide.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(dram.AsSpan(0x101 + (2 * i), 2), Wide[i]);
        }

        return dram;
    }

    [Fact]
    public void Elem16_loads_narrow_int16_into_the_scratchpad_and_sign_extend_into_the_accumulator()
    {
        // Arrange: 12 int16 at the odd address 0x101, read as rows of 6 (stride 12 bytes) or 4 (stride 8).
        const string Asm = """
            load elem16=1 rows=2 cols=6 local_addr=3 dram_addr=0x101 dram_stride=12
            load target=sp_t elem16=1 rows=2 cols=6 local_addr=10 dram_addr=0x101 dram_stride=12
            load target=acc elem16=1 rows=3 cols=4 local_addr=20 dram_addr=0x101 dram_stride=8
            """;

        // Act
        var (result, sim) = Run(Asm, DramWithWideRows());

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        for (var r = 0; r < 2; r++)
        {
            for (var e = 0; e < 6; e++)
            {
                var expected = FixedPoint.NarrowWide(Wide[(r * 6) + e]);
                Assert.Equal(expected, sim.Scratchpad(3 + r, e));
                Assert.Equal(expected, sim.Scratchpad(10 + e, r));
            }

            Assert.Equal(0, sim.Scratchpad(3 + r, 6));  // zero fill beyond cols
        }

        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(Wide[i], sim.Accumulator(20 + (i / 4), i % 4));
        }

        Assert.Equal(new sbyte[] { 0, 0, 1, -1, 0, 127, -128, 1, -2, 1 }, Wide[..10].Select(FixedPoint.NarrowWide));
        Assert.Equal((2 * 2 * 6 * 2) + (3 * 4 * 2), result.DmaReadBytes);
    }

    [Fact]
    public void A_wide_layernorm_writes_int16_rows_that_narrow_to_the_int8_layernorm_output()
    {
        // Arrange: one row of 6 (two blocks of 4, block b at row 30 + b), gamma/beta blocks at rows 40..43.
        int[] x = [5, -3, 100, 7, -50, 20];
        short[] gamma = [100, -200, 30, 1, 50, 7];
        int[] beta = [1000, -2000, 0, 300, -40000, -5];
        var dram = new byte[4096];
        for (var j = 0; j < 6; j++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(0x100 + (4 * j)), x[j]);
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(0x200 + (32 * (j / 4)) + (4 * (j % 4))), gamma[j]);
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(0x210 + (32 * (j / 4)) + (4 * (j % 4))), beta[j]);
        }

        const string Asm = """
            load target=acc rows=1 cols=4 local_addr=30 dram_addr=0x100 dram_stride=16
            load target=acc rows=1 cols=2 local_addr=31 dram_addr=0x110 dram_stride=16
            load target=acc rows=4 cols=4 local_addr=40 dram_addr=0x200 dram_stride=16
            config_post reg=ln_out_mult value=1024
            config_post reg=ln_out_shift value=30
            config_post reg=ln_affine value=40
            normalize func=layernorm rows=1 width=6 local_addr=30 dram_addr=0x300 dram_stride=16
            normalize func=layernorm wide=1 rows=1 width=6 local_addr=30 dram_addr=0x400 dram_stride=16
            """;

        // Act
        var (result, _) = Run(Asm, dram);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        var c = new IntLayerNormConstants(6, 1.0, null, 1.0, 1.0, new Requantization(1024, 30, false));
        var u = new int[6];
        IntLayerNorm.Normalized(x, [], u, c);
        var wide = Enumerable.Range(0, 6).Select(j => BinaryPrimitives.ReadInt16LittleEndian(result.Dram.AsSpan(0x400 + (2 * j), 2))).ToArray();
        Assert.Equal(Enumerable.Range(0, 6).Select(j => IntLayerNorm.AffineWide(u[j], gamma[j], beta[j], c)), wide);
        Assert.Equal(result.Dram.AsSpan(0x300, 6).ToArray().Select(b => (sbyte)b), wide.Select(FixedPoint.NarrowWide));
        Assert.Contains(wide, v => v is > 127 or < -128);
        Assert.Contains((short)-32768, wide);
        Assert.Equal(6 + 12, result.DmaWriteBytes);
    }

    [Fact]
    public void A_wide_residual_add_saturates_to_int16_little_endian()
    {
        // Arrange: x at acc row 10, residual at row 11 (ln_residual = 12), h = x + r, out = sat16(round(h / 2)).
        int[] x = [100000, -100000, 5, 70000];
        int[] r = [1, -1, 0, -3];
        var dram = new byte[4096];
        for (var j = 0; j < 4; j++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(0x100 + (4 * j)), x[j]);
            BinaryPrimitives.WriteInt32LittleEndian(dram.AsSpan(0x110 + (4 * j)), r[j]);
        }

        const string Asm = """
            load target=acc rows=2 cols=4 local_addr=10 dram_addr=0x100 dram_stride=16
            config_post reg=ln_residual value=12
            config_post reg=ln_res_mult value=1
            config_post reg=add_out_mult value=1
            config_post reg=add_out_shift value=1
            normalize func=add wide=1 rows=1 width=4 local_addr=10 dram_addr=0x301 dram_stride=8
            """;

        // Act
        var (result, _) = Run(Asm, dram);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        var got = Enumerable.Range(0, 4).Select(j => BinaryPrimitives.ReadInt16LittleEndian(result.Dram.AsSpan(0x301 + (2 * j), 2)));
        Assert.Equal(new short[] { 32767, -32768, 3, 32767 }, got);
        Assert.Equal(0, result.Dram[0x309]);
        Assert.Equal(8, result.DmaWriteBytes);
    }
}
