using System.Buffers.Binary;
using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Golden;
using HwGen.Software.Performance;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// Loads whose rows merge into multi-beat bursts (hwgen_load_agen, <see cref="LoadBursts"/>) against the golden model,
/// bit for bit, next to loads that must keep one burst per row; and the performance model's timing of merged bursts
/// against the RTL at a DRAM latency of 64 cycles.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class BurstCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private readonly RowUnitCosim cosim = new(fixture, output);

    private const int AccAddr = 0x0F00;   // 80 int32 rows from just below 4 KiB: crosses 0x1000 (and 0x2000 on default)
    private const int AccRows = 80;
    private const int SpAddr = 0x3FC0;    // 40 int8 rows across 0x4000
    private const int SpRows = 40;
    private const int StridedAddr = 0x5003;
    private const int TransAddr = 0x5400;
    private const int UnalignedAddr = 0x5801;
    private const int WideAddr = 0x5C00;
    private const int IdentityAddr = 0x6000;
    private const int OutAddr = 0x6800;
    private const int OutSize = 0x1800;

    private static byte[] Image(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var image = new byte[OutAddr + OutSize];
        for (var i = 0; i < OutAddr; i++)
        {
            image[i] = (byte)rng.Next(256);
        }

        for (var i = 0; i < AccRows * n; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(image.AsSpan(AccAddr + (4 * i), 4), rng.Next(201) - 100);
        }

        image.AsSpan(IdentityAddr, n * n).Clear();
        for (var r = 0; r < n; r++)
        {
            image[IdentityAddr + (r * n) + r] = 1;
        }

        image.AsSpan(OutAddr, OutSize).Fill(0xA5);
        return image;
    }

    /// <summary>
    /// The loads (each row block then multiplied by the identity where it lands in the scratchpad, and stored):
    /// merged: int32 rows into the accumulator across one or two 4 KiB boundaries and over 256 beats on tiny, int8 rows
    /// across 0x4000, a transposed block, int16 rows narrowed, the identity itself; per row: a strided block and a
    /// contiguous block at an odd address.
    /// </summary>
    private static string Text(DesignModel d)
    {
        var n = d.Cols;
        const int sp = 64, acc = 80;
        var lines = new List<string>
        {
            $"load target=acc rows={AccRows} cols={n} local_addr=0 dram_addr={AccAddr} dram_stride={4 * n}",
            $"load rows={n} cols={n} local_addr=0 dram_addr={IdentityAddr} dram_stride={n}",
            $"load rows={SpRows} cols={n} local_addr={sp} dram_addr={SpAddr} dram_stride={n}",
            $"load rows={n} cols={n} local_addr={sp + 64} dram_addr={StridedAddr} dram_stride={n + 5}",
            $"load target=sp_t rows={n} cols={n} local_addr={sp + 96} dram_addr={TransAddr} dram_stride={n}",
            $"load rows={n} cols={n} local_addr={sp + 128} dram_addr={UnalignedAddr} dram_stride={n}",
            $"load elem16=1 rows={n} cols={n} local_addr={sp + 160} dram_addr={WideAddr} dram_stride={2 * n} push_next=1",
            $"compute rows={SpRows} k={n} a_addr={sp} b_addr=0 c_addr={acc} pop_prev=1",
        };
        var blocks = new[] { (SpRows, 0), (n, 64), (n, 96), (n, 128), (n, 160) };
        var c = acc + SpRows;
        for (var i = 1; i < blocks.Length; i++, c += n)
        {
            lines.Add($"compute rows={n} k={n} a_addr={sp + blocks[i].Item2} b_addr=0 c_addr={c}" + (i == blocks.Length - 1 ? " push_next=1" : string.Empty));
        }

        lines.Add("config_store multiplier=1 shift=0");
        lines.Add($"store rows={c} cols={n} local_addr=0 dram_addr={OutAddr} dram_stride={n} pop_prev=1");
        return string.Join('\n', lines.Select(l => l.ToString(CultureInfo.InvariantCulture)));
    }

    private static CompiledProgram Program(DesignModel d, ulong seed) =>
        AssembledProgram.Create("burst-loads", AssembledProgram.Words(Text(d)), Image(d.Cols, seed));

    private static List<Instruction> Loads(CompiledProgram p) => p.Instructions.Where(i => i.Opcode == Opcode.Load).ToList();

    private static bool Merges(DesignModel d, Instruction i)
    {
        var v = new InstructionView(i);
        return LoadBursts.Mergeable(v.DramAddr, v.DramStride, v.Rows, v.LoadRowBytes, d.AxiDataBits / 8);
    }

    [SkippableTheory]
    [InlineData("tiny")]
    [InlineData("small")]
    [InlineData("default")]
    public async Task Loads_whose_rows_merge_into_multi_beat_bursts_match_the_golden_model_bit_for_bit(string config)
    {
        // Arrange
        var d = cosim.Design(config);
        var program = Program(d, seed: 3);
        var golden = GoldenSimulator.Run(d, program);
        var loads = Loads(program);
        var beat = d.AxiDataBits / 8;
        var accBursts = LoadBursts.Merged(AccAddr, AccRows * 4L * d.Cols / beat, beat).ToList();

        // Act
        var report = await cosim.RunBitExactAsync(config, _ => program);

        // Assert: five loads merge, the strided and the odd-address one do not; the int32 rows cross 4 KiB
        Assert.True(golden.Ok, golden.FaultDetail);
        Assert.Equal(new[] { true, true, true, false, true, false, true }, loads.Select(l => Merges(d, l)).ToArray());
        Assert.True(accBursts.Count >= 2, "the merged int32 rows cross a 4 KiB boundary");
        Assert.All(accBursts, b => Assert.True((b.Address % 4096) + ((long)b.Beats * beat) <= 4096 && b.Beats <= LoadBursts.MaxBeats));
        Assert.Equal(golden.DmaReadBytes, (long)report.DmaReadBytes);
        Assert.NotEqual(0xA5, golden.Dram[OutAddr + ((AccRows + SpRows + (3 * d.Cols)) * d.Cols) - 1]);
    }

    [SkippableFact]
    public async Task Merged_bursts_under_bus_stalls_and_jitter_match_the_golden_model()
    {
        // Arrange, Act and Assert
        await cosim.RunBitExactAsync("small", d => Program(d, seed: 7), options: RowUnitCosim.Stressed(7));
    }

    /// <summary>
    /// A load-bound program: two 256-row int8 loads, 64 int32 rows across a 4 KiB boundary and 32 strided rows, at
    /// <paramref name="spread"/> times the row bytes apart (1: the first three merge; 2: every load goes row by row,
    /// the same beats), then four of the int32 rows stored (few: the model does not yet time the write side at this latency).
    /// </summary>
    private static CompiledProgram LoadBound(DesignModel d, int spread)
    {
        var n = d.Cols;
        var rng = new SeededRandom(5);
        var image = new byte[0x10000];
        for (var i = 0; i < 0xC000; i++)
        {
            image[i] = (byte)rng.Next(256);
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"""
            load rows=256 cols={n} local_addr=0 dram_addr=0 dram_stride={spread * n}
            load rows=256 cols={n} local_addr=256 dram_addr={0x2000} dram_stride={spread * n}
            load target=acc rows=64 cols={n} local_addr=0 dram_addr={0x4F00} dram_stride={spread * 4 * n}
            load rows=32 cols={n} local_addr=512 dram_addr={0x9003} dram_stride={n + 5} push_next=1
            compute rows=1 k=1 c_addr=64 pop_prev=1 push_next=1
            config_store multiplier=1 shift=0
            store rows=4 cols={n} local_addr=0 dram_addr={0xC000} dram_stride={n} pop_prev=1
            """);
        return AssembledProgram.Create("burst-bound-" + spread.ToString(CultureInfo.InvariantCulture), AssembledProgram.Words(text), image);
    }

    [SkippableTheory]
    [InlineData("tiny")]
    [InlineData("default")]
    public async Task At_latency_64_merged_loads_beat_one_burst_per_row_and_the_model_follows_both(string config)
    {
        // Arrange
        const int latency = 64;
        var d = cosim.Design(config);
        var options = RowUnitCosim.Bounded with { ReadLatency = latency, WriteLatency = latency };
        var (merged, perRow) = (LoadBound(d, 1), LoadBound(d, 2));

        // Act
        var m = await cosim.RunBitExactAsync(config, _ => merged, options: options);
        var r = await cosim.RunBitExactAsync(config, _ => perRow, options: options);

        // Assert: the same beats in at most half the cycles; the model within 2 % of both
        Assert.Equal(new[] { true, true, true, false }, Loads(merged).Select(l => Merges(d, l)).ToArray());
        Assert.DoesNotContain(Loads(perRow), l => Merges(d, l));
        Assert.True(2 * m.Cycles < r.Cycles, $"merged {m.Cycles} cycles against {r.Cycles} row by row");
        foreach (var (program, report) in new[] { (merged, m), (perRow, r) })
        {
            var model = PerfModel.Estimate(d, program, new PerfParameters(MemoryLatency: latency)).TotalCycles;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{config} {program.Workload}: RTL {report.Cycles} model {model}"));
            Assert.InRange(100.0 * Math.Abs(model - (double)report.Cycles) / report.Cycles, 0.0, 2.0);
        }
    }

    [Fact]
    public void Without_axi_merge_bursts_the_rtl_is_built_without_merging_and_the_model_times_one_burst_per_row()
    {
        // Arrange
        const int latency = 64;
        var d = cosim.Design("tiny");
        var lean = d with { MergeBursts = false };
        var program = LoadBound(d, 1);

        // Act
        var merged = PerfModel.Estimate(d, program, new PerfParameters(MemoryLatency: latency)).TotalCycles;
        var perRow = PerfModel.Estimate(lean, program, new PerfParameters(MemoryLatency: latency)).TotalCycles;
        var top = HwGen.Generator.Rendering.RtlGenerator.RenderAll(HwGen.Generator.Design.DesignResolver.LoadFile(RepoPaths.Config("ice40")), "test")["hwgen_top.v"];

        // Assert: the same program takes more than twice the cycles row by row; configs/ice40.yaml leaves the merge out
        Assert.True(perRow > 2 * merged, $"{perRow} cycles row by row against {merged} merged");
        Assert.False(HwGen.Generator.Design.DesignResolver.LoadFile(RepoPaths.Config("ice40")).MergeBursts);
        Assert.Contains("parameter MERGE_BURSTS      = 0", top, StringComparison.Ordinal);
    }
}
