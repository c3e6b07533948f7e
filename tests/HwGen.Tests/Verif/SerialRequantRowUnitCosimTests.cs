using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Software.Compiler;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// The row units (GELU, Softmax, LayerNorm, residual add) behind a serial requantizer: no shipped configuration has
/// both, yet the store unit must then space output blocks RQ_II cycles apart, carry their sideband in a queue and hold
/// a unit row until the slower requantized row catches up, and with LayerNorm feed the requantizer one cycle late
/// (h of an add block). tiny with the requantizer at II 2 (units slower than it) and at II 36 (it slower than them).
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class SerialRequantRowUnitCosimTests(ITestOutputHelper output) : IDisposable
{
    private readonly string scratch = Path.Combine(Path.GetTempPath(), $"hwgen-serial-rq-{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>Requantizer (lanes, digit bits) × workload.</summary>
    public static TheoryData<int, int, string> Cases()
    {
        var data = new TheoryData<int, int, string>();
        foreach (var (lanes, digit) in new[] { (2, 32), (1, 8) })
        {
            foreach (var workload in new[] { "softmax", "layernorm", "layernorm+in_shift", "resadd", "gemm+gelu", "gelu_col", "gemm" })
            {
                data.Add(lanes, digit, workload);
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public async Task Row_units_behind_a_serial_requantizer_match_the_golden_model(int lanes, int digit, string workload)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = Session(lanes, digit);
        var d = session.Design;
        CompiledProgram program = workload switch
        {
            "softmax" => RowOpCompiler.Compile(d, SoftmaxWorkload.Create(9, 13, causal: true, seed: 31)),
            "layernorm" => RowOpCompiler.Compile(d, LayerNormWorkload.Create(7, 11, residual: true, seed: 32)),
            "layernorm+in_shift" => RowOpCompiler.Compile(d, LayerNormWorkload.Create(7, 11, residual: true, seed: 38, inShift: 16)),
            "resadd" => RowOpCompiler.Compile(d, ResidualAddWorkload.Create(7, 10, residual: true, seed: 33)),
            "gelu_col" => RowOpCompiler.Compile(d, GeluWorkload.Create(6, 9, seed: 37, perColumn: true)),
            "gemm+gelu" => GemmCompiler.Compile(d, GemmWorkload.CreateGelu(9, 7, 12, seed: 34), Dataflow.Ws),
            _ => GemmCompiler.Compile(d, GemmWorkload.Create(9, 7, 12, seed: 35, relu: true), Dataflow.Ws),
        };

        // Act
        var report = await session.RunAsync(program, RowUnitCosim.Stressed(36));

        // Assert
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Config} {report.Workload}: match={report.Match} cycles={report.Cycles}"));
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Empty(report.Problems);
    }

    public void Dispose()
    {
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>tiny with the given requantizer, rendered into the scratch folder (the harness build is cached by content).</summary>
    private CosimSession Session(int lanes, int digit)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"tiny-rq{lanes}x{digit}");
        var yaml = File.ReadAllText(RepoPaths.Config("tiny")).Replace("name: tiny", "name: " + name, StringComparison.Ordinal)
                   + string.Create(CultureInfo.InvariantCulture, $"requant:\n  lanes: {lanes}\n  digit_bits: {digit}\n");
        var design = DesignResolver.LoadText(yaml, name + ".yaml");
        RtlGenerator.Generate(design, scratch, $"hwgen generate {name}.yaml");
        return new CosimSession(design, scratch, new HarnessBuildOptions
        {
            CacheRoot = Path.Combine(RepoPaths.Root, ".hwgen-cache"),
            ExtraFlags = HarnessBuildOptions.EnvironmentExtraFlags(),
        });
    }
}
