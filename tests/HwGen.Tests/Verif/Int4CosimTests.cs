using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Numerics;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary><c>load int4</c> on the RTL against the golden model, bit for bit: hand-written loads, int4-weight GEMMs and the dispatch faults.</summary>
[Collection(CosimGroup.Name)]
public sealed class Int4CosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private readonly RowUnitCosim cosim = new(fixture, output);

    private const int XAddr = 0x101;
    private const int IdentityAddr = 0x1001;
    private const int YAddr = 0x1800;

    /// <summary>
    /// A DRAM image with N rows of N int4 (every value -8..7 first, then random) packed at the odd address XAddr with
    /// the odd stride N/2 + 3, the spare bytes 0xFF (so an ignored nibble is -1, not 0); an int8 N x N identity at
    /// IdentityAddr; poison from YAddr on.
    /// </summary>
    private static byte[] Image(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var image = new byte[0x4000];
        var stride = (n / 2) + 3;
        image.AsSpan(XAddr, n * stride).Fill(0xFF);
        for (var r = 0; r < n; r++)
        {
            for (var e = 0; e < n; e++)
            {
                var i = (r * n) + e;
                var v = (sbyte)(i < 16 ? i - 8 : rng.Next(16) - 8);
                var at = XAddr + (r * stride) + (e / 2);
                image[at] = Int4Packing.Pack(image[at], e % 2, v);
            }

            image[IdentityAddr + (r * n) + r] = 1;
        }

        image.AsSpan(YAddr, 0x1000).Fill(0xA5);
        return image;
    }

    /// <summary>
    /// Loads the int4 rows into the scratchpad, whole and with an odd column count (the last byte's high nibble
    /// ignored), and transposed when the design has sp_t; multiplies each by the identity and stores the unpacked
    /// values exactly (multiplier 1, shift 0).
    /// </summary>
    private static CompiledProgram LoadProgram(DesignModel d, ulong seed)
    {
        var n = d.Cols;
        var s = (n / 2) + 3;
        var third = d.TransposedLoad
            ? string.Create(CultureInfo.InvariantCulture, $"load target=sp_t int4=1 rows={n} cols={n - 1} local_addr={2 * n} dram_addr={XAddr} dram_stride={s}")
            : string.Create(CultureInfo.InvariantCulture, $"load int4=1 rows={n - 1} cols={n} local_addr={2 * n} dram_addr={XAddr + s} dram_stride={s}");
        var text = string.Create(CultureInfo.InvariantCulture, $"""
            load int4=1 rows={n} cols={n} local_addr=0 dram_addr={XAddr} dram_stride={s}
            load int4=1 rows={n} cols={n - 1} local_addr={n} dram_addr={XAddr} dram_stride={s}
            {third}
            load rows={n} cols={n} local_addr={4 * n} dram_addr={IdentityAddr} dram_stride={n} push_next=1
            compute rows={n} k={n} a_addr=0 b_addr={4 * n} c_addr=0 pop_prev=1
            compute rows={n} k={n} a_addr={n} b_addr={4 * n} c_addr={n}
            compute rows={n - 1} k={n} a_addr={2 * n} b_addr={4 * n} c_addr={2 * n} push_next=1
            config_store multiplier=1 shift=0
            store rows={n} cols={n} local_addr=0 dram_addr={YAddr} dram_stride={n} pop_prev=1
            store rows={n} cols={n} local_addr={n} dram_addr={YAddr + 0x100} dram_stride={n}
            store rows={n - 1} cols={n} local_addr={2 * n} dram_addr={YAddr + 0x200} dram_stride={n}
            """);
        return AssembledProgram.Create("int4-loads", AssembledProgram.Words(text), Image(n, seed));
    }

    [SkippableTheory]
    [InlineData("tiny")]
    [InlineData("small")]
    public async Task Int4_loads_plain_odd_and_transposed_match_the_golden_model_bit_for_bit(string config)
    {
        // Arrange
        var d = cosim.Design(config);
        var program = LoadProgram(d, seed: 5);
        var golden = GoldenSimulator.Run(d, program);

        // Act
        var report = await cosim.RunBitExactAsync(config, _ => program);

        // Assert: the program is not vacuous (-8 and 7 reach DRAM; the ignored nibble, -1 in DRAM, comes back as 0)
        var n = d.Cols;
        Assert.True(golden.Ok, golden.FaultDetail);
        Assert.Equal(-8, (sbyte)golden.Dram[YAddr]);
        Assert.Equal(7, (sbyte)golden.Dram[YAddr + 15]);
        Assert.Equal(0, golden.Dram[YAddr + 0x100 + n - 1]);
        Assert.Equal(golden.DmaReadBytes, (long)report.DmaReadBytes);
    }

    [SkippableFact]
    public async Task Int4_loads_under_bus_stalls_and_jitter_match_the_golden_model()
    {
        // Arrange, Act and Assert
        await cosim.RunBitExactAsync("small", d => LoadProgram(d, seed: 9), options: RowUnitCosim.Stressed(9));
    }

    [SkippableTheory]
    [InlineData("tiny", Dataflow.Ws, 20, 24, 36)]
    [InlineData("tiny", Dataflow.Os, 13, 10, 9)]
    [InlineData("small", Dataflow.Ws, 40, 48, 33)]
    public async Task Int4_weight_gemms_match_the_golden_model_and_move_half_the_weight_bytes(string config, Dataflow dataflow, int m, int n, int k)
    {
        // Arrange
        var d = cosim.Design(config);
        var w4 = GemmWorkload.Create(m, n, k, seed: 3, weightBits: 4);
        var int8 = GoldenSimulator.Run(d, GemmCompiler.Compile(d, w4 with { WeightBits = 8 }, dataflow));
        CompiledProgram? program = null;

        // Act
        var report = await cosim.RunBitExactAsync(config, design => program = GemmCompiler.Compile(design, w4, dataflow));

        // Assert: the int4 loads read ceil(cols/2) bytes a row, half of B's int8 bytes (N is even), and the rest is unchanged
        var loads = program!.Instructions.Select(i => new InstructionView(i)).Where(v => v.Opcode == Opcode.Load).ToList();
        var int4Bytes = loads.Where(v => v.Int4).Sum(v => v.Rows * v.LoadRowBytes);
        var int8Bytes = loads.Where(v => v.Int4).Sum(v => v.Rows * v.Cols);
        Assert.True(int4Bytes > 0);
        Assert.Equal(int8Bytes, 2 * int4Bytes);
        Assert.Equal(int8.DmaReadBytes - int4Bytes, (long)report.DmaReadBytes);
        Assert.Equal(w4.ReferenceOutput().Select(v => (long)v), program.Outputs.Single().Read(GoldenSimulator.Run(d, program).Dram));
    }

    [SkippableTheory]
    [InlineData("tiny", "load int4=1 elem16=1 rows=1 cols=4")]
    [InlineData("tiny", "load target=acc int4=1 rows=1 cols=4")]
    [InlineData("ice40", "load int4=1 rows=1 cols=2")]
    public async Task Illegal_int4_loads_fault_with_bad_field_in_the_RTL_as_in_the_golden_model(string config, string insn)
    {
        // Arrange, Act and Assert: instruction 2 of a small GEMM replaced
        await cosim.AssertFaultsAlikeAsync(config, d => GemmCompiler.Compile(d, GemmWorkload.Create(4, 4, 4, seed: 1), Dataflow.Ws), 2, insn, "bad_field");
    }
}
