using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Generator.Rendering;
using HwGen.Software.Golden;
using HwGen.Software.Performance;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// Contiguous load rows smaller than a beat (an int4 row of COLS/2 bytes on every shipped bus) merged into long bursts by
/// hwgen_load_agen, each beat's rows taken one a cycle by hwgen_load_unit (<see cref="LoadBursts"/>): bit for bit against
/// the golden model, and at a DRAM latency of 64 cycles against one burst per row and against the performance model.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class Int4BurstCosimTests(CosimFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly RowUnitCosim cosim = new(fixture, output);

    private readonly string scratch = Path.Combine(Path.GetTempPath(), $"hwgen-int4burst-{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>tiny on a 64-bit bus: an int4 row of 4 weights is 2 bytes, a quarter of a beat (four rows a beat).</summary>
    private const string QuarterYaml = """
        name: quarter
        array:
          rows: 4
          cols: 4
        scratchpad:
          kib: 4
        accumulator:
          kib: 4
        axi:
          data_bits: 64
          max_outstanding: 2
        """;

    private const int PerRowAddr = 0x1101;
    private const int TransAddr = 0x1400;
    private const int HalfInt8Addr = 0x1600;
    private const int IdentityAddr = 0x1800;
    private const int OutAddr = 0x2000;
    private const int OddRows = 33;
    private const int HalfInt8Rows = 5;

    /// <summary>33 int4 rows from 16 beats below 4 KiB: they cross it and their last beat carries one row.</summary>
    private static int MergedAddr(DesignModel d) => 0x1000 - (16 * (d.AxiDataBits / 8));

    private static byte[] Image(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var image = new byte[OutAddr + 0x1000];
        for (var i = 0; i < IdentityAddr; i++)
        {
            image[i] = (byte)rng.Next(256);
        }

        for (var r = 0; r < n; r++)
        {
            image[IdentityAddr + (r * n) + r] = 1;
        }

        image.AsSpan(OutAddr).Fill(0xA5);
        return image;
    }

    /// <summary>
    /// The int8 identity; 33 int4 rows across 4 KiB (merged, odd count); an int4 block at the odd stride COLS/2 + 3 (one
    /// burst a row); a transposed int4 block when the design has sp_t (else a plain one), merged; five int8 rows of half a
    /// beat (merged, odd count). Each block multiplied by the identity where it lands and stored exactly.
    /// </summary>
    private static CompiledProgram HalfBeatProgram(DesignModel d, ulong seed)
    {
        var n = d.Cols;
        var h = n / 2;
        var trans = d.TransposedLoad ? "target=sp_t " : string.Empty;
        var rows = new[] { (OddRows, 64), (n, 128), (n, 160), (HalfInt8Rows, 192) };
        var lines = new List<string>
        {
            $"load rows={n} cols={n} local_addr=0 dram_addr={IdentityAddr} dram_stride={n}",
            $"load int4=1 rows={OddRows} cols={n} local_addr=64 dram_addr={MergedAddr(d)} dram_stride={h}",
            $"load int4=1 rows={n} cols={n} local_addr=128 dram_addr={PerRowAddr} dram_stride={h + 3}",
            $"load {trans}int4=1 rows={n} cols={n} local_addr=160 dram_addr={TransAddr} dram_stride={h}",
            $"load rows={HalfInt8Rows} cols={h} local_addr=192 dram_addr={HalfInt8Addr} dram_stride={h} push_next=1",
        };
        var c = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            var tokens = (i == 0 ? " pop_prev=1" : string.Empty) + (i == rows.Length - 1 ? " push_next=1" : string.Empty);
            lines.Add($"compute rows={rows[i].Item1} k={n} a_addr={rows[i].Item2} b_addr=0 c_addr={c}{tokens}");
            c += rows[i].Item1;
        }

        lines.Add("config_store multiplier=1 shift=0");
        lines.Add($"store rows={c} cols={n} local_addr=0 dram_addr={OutAddr} dram_stride={n} pop_prev=1");
        var text = string.Join('\n', lines.Select(l => l.ToString(CultureInfo.InvariantCulture)));
        return AssembledProgram.Create("int4-half-beat-loads", AssembledProgram.Words(text), Image(n, seed));
    }

    private static List<InstructionView> Loads(CompiledProgram p) =>
        p.Instructions.Where(i => i.Opcode == Opcode.Load).Select(i => new InstructionView(i)).ToList();

    private static bool Merges(DesignModel d, InstructionView v) =>
        LoadBursts.Mergeable(v.DramAddr, v.DramStride, v.Rows, v.LoadRowBytes, d.AxiDataBits / 8);

    [SkippableTheory]
    [InlineData("tiny")]
    [InlineData("small")]
    [InlineData("default")]
    public async Task Merged_rows_of_half_a_beat_int4_and_int8_odd_counts_and_transposed_match_the_golden_model_bit_for_bit(string config)
    {
        // Arrange
        var d = cosim.Design(config);
        var beat = d.AxiDataBits / 8;
        var program = HalfBeatProgram(d, seed: 11);
        var golden = GoldenSimulator.Run(d, program);
        var loads = Loads(program);
        var odd = LoadBursts.Merged(MergedAddr(d), LoadBursts.MergedBeats(OddRows, d.Cols / 2, beat), beat).ToList();

        // Act
        var report = await cosim.RunBitExactAsync(config, _ => program);

        // Assert: every load but the strided one merges, their rows are half a beat, the 33 rows cross 4 KiB in 17 beats,
        // the read bytes count rows, not beats, and int4's extremes reach DRAM
        var n = d.Cols;
        Assert.True(golden.Ok, golden.FaultDetail);
        Assert.Equal(new[] { true, true, false, true, true }, loads.Select(v => Merges(d, v)).ToArray());
        Assert.All(loads.Skip(1), v => Assert.Equal(beat / 2, v.LoadRowBytes));
        Assert.Equal(2, odd.Count);
        Assert.Equal(17, odd.Sum(b => b.Beats));
        Assert.Equal(golden.DmaReadBytes, (long)report.DmaReadBytes);
        var stored = golden.Dram.AsSpan(OutAddr, (OddRows + (2 * n) + HalfInt8Rows) * n).ToArray();
        Assert.Contains((byte)0xF8, stored);
        Assert.Contains((byte)0x07, stored);
        Assert.DoesNotContain((byte)0xA5, stored.AsSpan(0, OddRows * n).ToArray());
    }

    [SkippableFact]
    public async Task Merged_rows_of_half_a_beat_under_bus_stalls_and_jitter_match_the_golden_model()
    {
        // Arrange, Act and Assert: the load unit holds a beat on the read channel while it takes its rows
        await cosim.RunBitExactAsync("default", d => HalfBeatProgram(d, seed: 13), options: RowUnitCosim.Stressed(13));
    }

    [SkippableFact]
    public async Task Merged_rows_of_a_quarter_beat_under_bus_stalls_and_jitter_match_the_golden_model()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = Session(QuarterYaml);
        var d = session.Design;
        var program = HalfBeatProgram(d, seed: 19);
        var golden = GoldenSimulator.Run(d, program);
        var loads = Loads(program);

        // Act
        var report = await session.RunAsync(program, RowUnitCosim.Stressed(19));

        // Assert: the same loads merge, now four rows a beat (the odd counts leave one and three rows in their last beat)
        cosim.Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Equal(new[] { true, true, false, true, true }, loads.Select(v => Merges(d, v)).ToArray());
        Assert.All(loads.Skip(1), v => Assert.Equal(d.AxiDataBits / 8 / 4, v.LoadRowBytes));
        Assert.Equal(golden.DmaReadBytes, (long)report.DmaReadBytes);
    }

    [SkippableFact]
    public async Task A_read_error_inside_merged_half_beat_rows_faults_as_in_the_golden_model()
    {
        // Arrange: SLVERR on one byte of the 33 int4 rows, in the first row of a beat that carries two (rows 16 and 17)
        RequiresVerilator.Check();
        var session = fixture.Session("default");
        var program = HalfBeatProgram(session.Design, seed: 17);
        var at = MergedAddr(session.Design) + (8 * 16) + 4;
        var options = RowUnitCosim.Bounded with { SlaveErrorRange = (at, at + 1), SlaveErrorDirection = SlaveErrorDirection.Reads };

        // Act
        var report = await session.RunAsync(program, options);

        // Assert
        cosim.Log(report);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal("dma_read_error", report.GoldenFault.Name);
        Assert.Equal("dma_read_error", report.RtlFault.Name);
        Assert.Equal(1, report.RtlFault.Pc);
    }

    /// <summary>
    /// A load-bound program: 256 and 255 int4 rows at <paramref name="spread"/> times the row bytes apart (1: both merge,
    /// two rows a beat; 2: one burst a row), then four of the rows multiplied by the first block and stored.
    /// </summary>
    private static CompiledProgram LoadBound(DesignModel d, int spread)
    {
        var n = d.Cols;
        var h = n / 2;
        var rng = new SeededRandom(5);
        var image = new byte[0x10000];
        for (var i = 0; i < 0xC000; i++)
        {
            image[i] = (byte)rng.Next(256);
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"""
            load int4=1 rows=256 cols={n} local_addr=0 dram_addr=0 dram_stride={spread * h}
            load int4=1 rows=255 cols={n} local_addr=256 dram_addr={0x2000} dram_stride={spread * h} push_next=1
            compute rows=4 k={n} a_addr=256 b_addr=0 c_addr=0 pop_prev=1 push_next=1
            config_store multiplier=1 shift=0
            store rows=4 cols={n} local_addr=0 dram_addr={0xC000} dram_stride={n} pop_prev=1
            """);
        return AssembledProgram.Create("int4-bound-" + spread.ToString(CultureInfo.InvariantCulture), AssembledProgram.Words(text), image);
    }

    [SkippableTheory]
    [InlineData("tiny")]
    [InlineData("default")]
    public async Task At_latency_64_merged_int4_rows_take_far_fewer_bursts_and_cycles_than_one_burst_a_row_and_the_model_follows_both(string config)
    {
        // Arrange
        const int latency = 64;
        var d = cosim.Design(config);
        var options = RowUnitCosim.Bounded with { ReadLatency = latency, WriteLatency = latency };
        var (merged, perRow) = (LoadBound(d, 1), LoadBound(d, 2));

        // Act
        var m = await cosim.RunBitExactAsync(config, _ => merged, options: options);
        var r = await cosim.RunBitExactAsync(config, _ => perRow, options: options);

        // Assert: fewer read bursts than the rows of one load (fetch included) against one a row, in under half the
        // cycles; the model within 2 % of both
        Assert.All(Loads(merged), v => Assert.True(Merges(d, v)));
        Assert.DoesNotContain(Loads(perRow), v => Merges(d, v));
        Assert.InRange(m.Axi.ReadBursts, 1, 255);
        Assert.InRange(r.Axi.ReadBursts, 511, long.MaxValue);
        Assert.True(2 * m.Cycles < r.Cycles, $"merged {m.Cycles} cycles against {r.Cycles} row by row");
        foreach (var (program, report) in new[] { (merged, m), (perRow, r) })
        {
            var model = PerfModel.Estimate(d, program, new PerfParameters(MemoryLatency: latency)).TotalCycles;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{config} {program.Workload}: RTL {report.Cycles} cycles, {report.Axi.ReadBursts} read bursts; model {model}"));
            Assert.InRange(100.0 * Math.Abs(model - (double)report.Cycles) / report.Cycles, 0.0, 2.0);
        }
    }

    private CosimSession Session(string yaml)
    {
        var design = DesignResolver.LoadText(yaml);
        var dir = Path.Combine(scratch, design.Name);
        RtlGenerator.Generate(design, dir, "hwgen generate " + design.Name);
        return new CosimSession(design, dir, new HarnessBuildOptions
        {
            CacheRoot = Path.Combine(RepoPaths.Root, ".hwgen-cache"),
            ExtraFlags = HarnessBuildOptions.EnvironmentExtraFlags(),
        });
    }

    public void Dispose()
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
