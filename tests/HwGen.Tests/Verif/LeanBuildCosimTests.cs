using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Software.Compiler;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// The FPGA-lean options change the hardware, never the numbers: the iCE40 build (serial
/// requantizer, shift-and-add multipliers, one-entry queues, cycles-only 24-bit counters), DSP48
/// int8 packing (PE pairs sharing one multiplier) in both dataflows, and a serial requantizer
/// next to the row units all match the golden model bit for bit in Verilator.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class LeanBuildCosimTests(CosimFixture fixture, ITestOutputHelper output) : IDisposable
{
    private static readonly CosimOptions Bounded = new() { MaxCycles = 20_000_000, Watchdog = 500_000 };

    private readonly string scratch = Path.Combine(Path.GetTempPath(), $"hwgen-lean-{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>tiny with 1x2 tiles and DSP packing, both dataflows.</summary>
    private const string PackedYaml = """
        name: packed
        array:
          rows: 4
          cols: 4
          tile_rows: 1
          tile_cols: 2
          dataflow: both
          dsp_packing: true
        scratchpad:
          kib: 4
          banks: 2
        accumulator:
          kib: 4
          banks: 2
        axi:
          data_bits: 32
          max_outstanding: 2
        """;

    /// <summary>tiny with every row unit and a one-lane, 8-bit-digit requantizer (36 cycles per row).</summary>
    private const string SerialYaml = """
        name: serialrq
        array:
          rows: 4
          cols: 4
        scratchpad:
          kib: 4
          banks: 2
        accumulator:
          kib: 4
          banks: 2
        axi:
          data_bits: 32
          max_outstanding: 2
        requant:
          lanes: 1
          digit_bits: 8
        """;

    [SkippableTheory]
    [InlineData(1, 1, 1, false)]
    [InlineData(33, 18, 40, false)]
    [InlineData(20, 5, 7, true)]
    public async Task The_ice40_lean_build_matches_the_golden_model(int m, int n, int k, bool relu)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("ice40");
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(m, n, k, seed: 5, relu: relu), Dataflow.Ws);

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        output.WriteLine($"{program.Workload}: {report.Cycles} cycles, match {report.Match}");
        Assert.True(report.Match, report.Mismatch?.ToString());
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.InRange((long)report.Counters["cycles"], report.Cycles - 4, report.Cycles + 4);
        Assert.Equal(0UL, report.Counters["macs"]);   // counters.set: cycles
    }

    [SkippableTheory]
    [InlineData(Dataflow.Ws, 30, 17, 21)]
    [InlineData(Dataflow.Os, 30, 17, 21)]
    [InlineData(Dataflow.Ws, 64, 64, 64)]
    [InlineData(Dataflow.Os, 9, 40, 70)]
    public async Task Dsp_packing_matches_the_golden_model_in_both_dataflows(Dataflow dataflow, int m, int n, int k)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = Session(PackedYaml);
        var program = GemmCompiler.Compile(session.Design, GemmWorkload.Create(m, n, k, seed: 9, relu: false), dataflow);

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        Assert.True(session.Design.DspPacking);
        Assert.True(report.Match, report.Mismatch?.ToString());
        Assert.Equal(SimStatus.Done, report.Status);
    }

    [SkippableTheory]
    [InlineData("gemm:M=30,N=17,K=21,relu=1")]
    [InlineData("gemm+gelu:M=20,N=12,K=9")]
    [InlineData("softmax:rows=12,cols=40,causal=1")]
    [InlineData("layernorm:rows=8,cols=24")]
    public async Task A_serial_requantizer_beside_the_row_units_matches_the_golden_model(string workload)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = Session(SerialYaml);
        var spec = WorkloadSpec.Parse(workload);
        var program = spec.Kind is "gemm" or "gemm+gelu" ? GemmCompiler.Compile(session.Design, spec, Dataflow.Ws) : RowOpCompiler.Compile(session.Design, spec);

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        Assert.Equal(36, session.Design.RequantCyclesPerRow);
        Assert.True(report.Match, report.Mismatch?.ToString());
        Assert.Equal(SimStatus.Done, report.Status);
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
