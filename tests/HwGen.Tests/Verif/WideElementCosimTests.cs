using System.Buffers.Binary;
using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Software.Golden;
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
}
