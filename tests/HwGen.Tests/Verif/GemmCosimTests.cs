using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

[Collection(CosimGroup.Name)]
public sealed class GemmCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] Configs = ["tiny", "small", "default"];

    private static readonly CosimOptions Bounded = new() { MaxCycles = 20_000_000, Watchdog = 500_000 };

    public static TheoryData<string, Dataflow, int, int, int> FixedShapes()
    {
        var data = new TheoryData<string, Dataflow, int, int, int>();
        foreach (var config in Configs)
        {
            foreach (var dataflow in new[] { Dataflow.Ws, Dataflow.Os })
            {
                data.Add(config, dataflow, 1, 1, 1);
                data.Add(config, dataflow, 100, 77, 45);
                data.Add(config, dataflow, 257, 33, 300);
            }
        }

        return data;
    }

    /// <summary>Seeded random shapes (1..160 per dimension), two per configuration and dataflow.</summary>
    public static TheoryData<string, Dataflow, int, int, int, ulong> RandomShapes()
    {
        var data = new TheoryData<string, Dataflow, int, int, int, ulong>();
        var rng = new SeededRandom(20240611);
        foreach (var config in Configs)
        {
            foreach (var dataflow in new[] { Dataflow.Ws, Dataflow.Os })
            {
                for (var i = 0; i < 2; i++)
                {
                    data.Add(config, dataflow, 1 + rng.Next(160), 1 + rng.Next(160), 1 + rng.Next(160), rng.NextU64() % 1000);
                }
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(FixedShapes))]
    public async Task Gemm_outputs_on_the_RTL_match_the_golden_model_bit_for_bit(string config, Dataflow dataflow, int m, int n, int k)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(m, n, k, seed: 7), dataflow);

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        Log(report);
        Assert.True(report.Match, Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Empty(report.Problems);
        Assert.InRange((long)report.Counters["cycles"], report.Cycles - 4, report.Cycles + 4);
        Assert.InRange(report.Utilization, 0.0, 1.0);
    }

    [SkippableTheory]
    [MemberData(nameof(RandomShapes))]
    public async Task Seeded_random_gemm_shapes_match_the_golden_model(string config, Dataflow dataflow, int m, int n, int k, ulong seed)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(m, n, k, seed, relu: seed % 2 == 1), dataflow);

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        Log(report);
        Assert.True(report.Match, Describe(report));
        Assert.Empty(report.Problems);
    }

    [SkippableTheory]
    [InlineData("tiny", Dataflow.Os)]
    [InlineData("small", Dataflow.Ws)]
    public async Task Random_AXI_latency_and_backpressure_change_cycles_but_not_bits(string config, Dataflow dataflow)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(100, 77, 45, seed: 11), dataflow);
        var stressed = Bounded with { Seed = 1234, StallPercent = 40, Jitter = 12, ReadLatency = 6, WriteLatency = 4, MaxReads = 3, MaxWrites = 2 };

        // Act
        var plain = await session.RunAsync(program, Bounded);
        var random = await session.RunAsync(program, stressed);

        // Assert
        Log(plain);
        Log(random);
        Assert.True(plain.Match, Describe(plain));
        Assert.True(random.Match, Describe(random));
        Assert.Empty(random.Problems);
        Assert.NotEqual(plain.Cycles, random.Cycles);
        Assert.True(random.Cycles > plain.Cycles, "backpressure should cost cycles");
        Assert.Equal(plain.Counters["macs"], random.Counters["macs"]);
        Assert.Equal(plain.DmaWriteBytes, random.DmaWriteBytes);
    }

    [SkippableFact]
    public async Task An_AXI_slave_error_on_an_input_stops_the_RTL_with_the_dma_read_error_the_golden_model_predicts()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(20, 9, 13, seed: 3), Dataflow.Ws);
        var a = program.Tensors.First(t => t.Name == "A");

        // Act
        var report = await session.RunAsync(program, Bounded with { SlaveErrorRange = (a.Address, a.Address + 1) });

        // Assert
        Log(report);
        Assert.Equal(SimStatus.Error, report.Status);
        Assert.Equal(5, report.RtlFault.Code);
        Assert.Equal("dma_read_error", report.RtlFault.Name);
        Assert.Equal(report.GoldenFault, report.RtlFault);
        Assert.True(report.Irq);
        Assert.True(report.Match, Describe(report));
    }

    [SkippableFact]
    public async Task A_run_that_exceeds_its_cycle_budget_is_reported_as_a_timeout()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("tiny");
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(64, 64, 64, seed: 3), Dataflow.Ws);

        // Act
        var report = await session.RunAsync(program, new CosimOptions { MaxCycles = 200 });

        // Assert
        Assert.Equal(SimStatus.Timeout, report.Status);
        Assert.False(report.Match);
        Assert.Contains("200 cycles", report.Reason, StringComparison.Ordinal);
    }

    private void Log(CosimReport r) => output.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Config} {r.Workload} {r.Memory.StallPercent}% stall: match={r.Match} cycles={r.Cycles} ideal={r.IdealCycles:F0} util={r.Utilization:P1} {r.CyclesPerSecond:F0} cycles/s"));

    internal static string Describe(CosimReport report) => CosimReportJson.Serialize(report);
}
