using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Software.Golden;
using HwGen.Software.Performance;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// Transposed loads back to back (hwgen_load_unit's two transpose buffers: a block's rows gather while the previous
/// block is written out column by column): every shape bit for bit against the golden model, next to plain loads that
/// must wait for the write-out, and the throughput of a stream of blocks, with the performance model beside the RTL.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class TransposeCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private readonly RowUnitCosim cosim = new(fixture, output);

    private const int Blocks = 24;
    private const int OutAddr = 0xC000;

    private static byte[] Image(DesignModel d)
    {
        var n = d.Cols;
        var rng = new SeededRandom(11);
        var image = new byte[OutAddr + (Blocks * n * n) + 0x1000];
        for (var i = 0; i < OutAddr; i++)
        {
            image[i] = (byte)rng.Next(256);
        }

        // The identity B at 0xB000.
        for (var r = 0; r < n; r++)
        {
            image[0xB000 + (r * n) + r] = 1;
        }

        return image;
    }

    /// <summary>
    /// <see cref="Blocks"/> loads into consecutive scratchpad blocks: transposed blocks of full, short (rows below COLS:
    /// zero lanes) and narrow (cols below COLS: fewer rows written) shape, one-row blocks as a decode step's Pᵀ, and plain
    /// loads between them that land right after a transposed block; each block multiplied by the identity and stored.
    /// </summary>
    private static CompiledProgram Mixed(DesignModel d)
    {
        var n = d.Cols;
        var lines = new List<string> { $"load rows={n} cols={n} local_addr=0 dram_addr={0xB000} dram_stride={n}" };
        for (var b = 0; b < Blocks; b++)
        {
            var local = n * (b + 1);
            var dram = b * n * n * 2;
            lines.Add((b % 6) switch
            {
                0 or 1 => $"load target=sp_t rows={n} cols={n} local_addr={local} dram_addr={dram} dram_stride={n}",
                2 => $"load target=sp_t rows={Math.Max(1, n / 3)} cols={n} local_addr={local} dram_addr={dram + 3} dram_stride={n + 7}",
                3 => $"load target=sp_t rows=1 cols={n} local_addr={local} dram_addr={dram} dram_stride={n}",
                4 => $"load target=sp_t rows={n} cols={Math.Max(1, n - 5)} local_addr={local} dram_addr={dram} dram_stride={n}",
                _ => $"load rows={n} cols={n} local_addr={local} dram_addr={dram} dram_stride={n}",
            } + (b == Blocks - 1 ? " push_next=1" : string.Empty));
        }

        for (var b = 0; b < Blocks; b++)
        {
            lines.Add($"compute rows={n} k={n} a_addr={n * (b + 1)} b_addr=0 c_addr={n * b}" + (b == 0 ? " pop_prev=1" : string.Empty)
                + (b == Blocks - 1 ? " push_next=1" : string.Empty));
        }

        lines.Add("config_store multiplier=1 shift=0");
        lines.Add($"store rows={Blocks * n} cols={n} local_addr=0 dram_addr={OutAddr} dram_stride={n} pop_prev=1");
        return AssembledProgram.Create("transposed-mixed", AssembledProgram.Words(string.Join('\n', lines)), Image(d));
    }

    /// <summary>
    /// A stream of <see cref="Blocks"/> full transposed blocks, one compute and a one-row store (on default: a block is
    /// as many beats as columns, so one buffer would halve the rate; narrow buses such as tiny's are bound by the beats).
    /// </summary>
    private static CompiledProgram Stream(DesignModel d)
    {
        var n = d.Cols;
        var text = string.Join('\n', Enumerable.Range(0, Blocks)
            .Select(b => $"load target=sp_t rows={n} cols={n} local_addr={n * b} dram_addr={b * n * n} dram_stride={n}" + (b == Blocks - 1 ? " push_next=1" : string.Empty))
            .Concat([$"compute rows=1 k=1 c_addr=0 pop_prev=1 push_next=1", "config_store multiplier=1 shift=0",
                $"store rows=1 cols={n} local_addr=0 dram_addr={OutAddr} dram_stride={n} pop_prev=1"]));
        return AssembledProgram.Create("transposed-stream", AssembledProgram.Words(text), Image(d));
    }

    [SkippableTheory]
    [InlineData("tiny")]
    [InlineData("small")]
    [InlineData("default")]
    public async Task Transposed_blocks_back_to_back_and_plain_loads_between_them_match_the_golden_model(string config)
    {
        // Arrange
        var d = cosim.Design(config);
        var program = Mixed(d);
        var golden = GoldenSimulator.Run(d, program);

        // Act
        var report = await cosim.RunBitExactAsync(config, _ => program);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{config}: RTL {report.Cycles}, model {PerfModel.Estimate(d, program).TotalCycles}"));

        // Assert: bit-exact (RunBitExactAsync), and the stored blocks are data, not the poison
        Assert.True(golden.Ok, golden.FaultDetail);
        Assert.True(report.Match);
        Assert.Contains(golden.Dram.AsSpan(OutAddr, Blocks * d.Cols * d.Cols).ToArray(), b => b != 0);
    }

    [SkippableFact]
    public async Task Transposed_blocks_under_bus_stalls_and_jitter_match_the_golden_model()
    {
        // Arrange, Act and Assert
        await cosim.RunBitExactAsync("small", Mixed, options: RowUnitCosim.Stressed(5));
    }

    [SkippableTheory]
    [InlineData("default", 1)]
    [InlineData("default", 64)]
    [InlineData("small", 1)]
    public async Task A_stream_of_transposed_blocks_overlaps_each_write_out_with_the_next_blocks_rows(string config, int latency)
    {
        // Arrange
        var d = cosim.Design(config);
        var program = Stream(d);
        var options = RowUnitCosim.Bounded with { ReadLatency = latency, WriteLatency = latency };
        var n = d.Cols;
        var beats = (long)n * n / (d.AxiDataBits / 8); // a block's beats

        // Act
        var report = await cosim.RunBitExactAsync(config, _ => program, options: options);
        var model = PerfModel.Estimate(d, program, new PerfParameters(MemoryLatency: latency)).TotalCycles;

        // Assert: one buffer would take beats + n cycles a block; two take the longer of the two, plus the ends
        var serial = Blocks * (beats + n);
        var overlapped = Blocks * Math.Max(beats, n + 1);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{config} latency {latency}: RTL {report.Cycles}, model {model}, one buffer ≥ {serial}, two ≈ {overlapped}"));
        Assert.True(report.Cycles < overlapped + ((serial - overlapped) / 2) + latency + 60, $"{report.Cycles} cycles for {Blocks} blocks");
        Assert.InRange(100.0 * Math.Abs(model - (double)report.Cycles) / report.Cycles, 0.0, 2.0);
    }
}
