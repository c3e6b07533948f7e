using System.Text;
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

/// <summary>
/// <c>compute int4_pairs</c> (array.int4_pairs, on default): an output-stationary pass on packed int4 B rows, the upper half
/// of the PE rows on the first COLS nibbles of each row, the lower half on the next COLS, the two column blocks written
/// <c>rows</c> accumulator rows apart.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class Int4PairsCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private readonly RowUnitCosim cosim = new(fixture, output);

    /// <summary>Random bytes for the scratchpad (4 KiB at 0) and int32 bias rows (4 rows of 16 at 0x1000).</summary>
    private static byte[] Image()
    {
        var image = new byte[0x3000];
        var rng = new Random(12);
        rng.NextBytes(image.AsSpan(0, 0x1000));
        for (var i = 0; i < 4 * 16; i++)
        {
            BitConverter.TryWriteBytes(image.AsSpan(0x1000 + (4 * i), 4), rng.Next(-5000, 5000));
        }

        return image;
    }

    [Fact]
    public void A_pair_compute_on_the_golden_model_is_two_output_stationary_gemms_on_the_low_and_high_column_blocks()
    {
        // Arrange: rows = 3, k = 5, bias mode: C[c + i] from nibbles 0..15 of each B row with bias row 1000, C[c + 3 + i] from
        // nibbles 16..31 with bias row 1001.
        var d = DesignResolver.LoadFile(RepoPaths.Config("default"));
        var image = Image();
        const string Asm = """
            load target=sp rows=256 cols=16 local_addr=0 dram_addr=0x0 dram_stride=16 push_next=1
            load target=acc rows=2 cols=16 local_addr=1000 dram_addr=0x1000 dram_stride=64 push_next=1
            compute dataflow=os int4_pairs=1 mode=bias rows=3 k=5 a_addr=20 b_addr=40 c_addr=16 bias_addr=1000 pop_prev=1
            """;
        var code = Assembler.AssembleToBytes(Asm);
        code.CopyTo(image, 0x2000);
        var sim = new GoldenSimulator(d);

        // Act
        var result = sim.Execute(image, 0x2000, code.Length / IsaSpec.InstructionBytes);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        for (var half = 0; half < 2; half++)
        {
            for (var i = 0; i < 3; i++)
            {
                for (var j = 0; j < 16; j++)
                {
                    long sum = BitConverter.ToInt32(image, 0x1000 + (64 * half) + (4 * j));
                    for (var t = 0; t < 5; t++)
                    {
                        var a = (sbyte)image[((20 + t) * 16) + i];
                        var e = (half * 16) + j;
                        sum += a * Int4Packing.Unpack(image[((40 + t) * 16) + (e / 2)], e % 2);
                    }

                    Assert.Equal(sum, sim.Accumulator(16 + (half * 3) + i, j));
                }
            }
        }

        Assert.Equal(2L * 3 * 5 * 16, result.Macs);
    }

    [SkippableFact]
    public async Task Pair_computes_between_int8_output_and_weight_stationary_ones_match_the_golden_model_in_every_mode()
    {
        // Arrange: on default, back to back: an int8 OS compute, pairs with bias (8 rows), accumulate onto them, a short pair
        // of one row (its drain not hidden), a WS compute, and pairs of 5 rows with bias; every accumulator row stored.
        RequiresVerilator.Check();
        var session = fixture.Session("default");
        var text = new StringBuilder("""
            load target=sp rows=256 cols=16 local_addr=0 dram_addr=0x0 dram_stride=16 push_next=1
            load target=acc rows=4 cols=16 local_addr=1000 dram_addr=0x1000 dram_stride=64 push_next=1
            compute dataflow=os mode=overwrite rows=8 k=40 a_addr=0 b_addr=40 c_addr=0 pop_prev=1
            compute dataflow=os int4_pairs=1 mode=bias rows=8 k=33 a_addr=80 b_addr=120 c_addr=16 bias_addr=1000 pop_prev=1
            compute dataflow=os int4_pairs=1 mode=accumulate rows=8 k=20 a_addr=160 b_addr=180 c_addr=16
            compute dataflow=os int4_pairs=1 mode=overwrite rows=1 k=3 a_addr=0 b_addr=200 c_addr=32
            compute dataflow=ws mode=overwrite rows=3 k=16 a_addr=10 b_addr=210 c_addr=40
            compute dataflow=os int4_pairs=1 mode=bias rows=5 k=16 a_addr=226 b_addr=240 c_addr=48 bias_addr=1002 push_next=1
            config_store multiplier=1 shift=5
            store rows=58 cols=16 local_addr=0 dram_addr=0x2000 dram_stride=16 pop_prev=1

            """);
        var program = AssembledProgram.Create("int4-pairs", AssembledProgram.Words(text.ToString()), Image());

        // Act
        var report = await session.RunAsync(program, new CosimOptions { Watchdog = 20_000, MaxCycles = 1_000_000 });

        // Assert: every stored row and the MAC counter equal the golden model's.
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
    }

    [SkippableTheory]
    [InlineData("default", "compute int4_pairs=1 rows=1 k=4", "bad_field")]
    [InlineData("default", "compute dataflow=os int4_pairs=1 rows=9 k=4", "bad_field")]
    [InlineData("small", "compute dataflow=os int4_pairs=1 rows=1 k=4", "bad_field")]
    [InlineData("default", "compute dataflow=os int4_pairs=1 rows=8 k=4 c_addr=2040", "acc_range")]
    [InlineData("default", "compute dataflow=os int4_pairs=1 mode=bias rows=1 k=4 bias_addr=2047", "acc_range")]
    public async Task Illegal_pair_computes_fault_in_the_RTL_as_in_the_golden_model(string config, string insn, string fault)
    {
        // Arrange, Act and Assert: instruction 2 of a small GEMM replaced (ws, more rows than half the array, a design without
        // the paired array, and output or bias rows past the accumulator's 2,048 that only the second block reaches)
        await cosim.AssertFaultsAlikeAsync(config, d => GemmCompiler.Compile(d, GemmWorkload.Create(4, 4, 4, seed: 1), Dataflow.Ws), 2, insn, fault);
    }
}
