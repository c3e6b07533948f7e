using System.Globalization;
using HwGen.Software.Layers;
using HwGen.Tests.Verif;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Layers;

/// <summary>A whole Transformer layer on the RTL against the golden model, every intermediate tensor bit for bit.</summary>
[Collection(CosimGroup.Name)]
public sealed class LayerCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private static readonly CosimOptions Bounded = new() { MaxCycles = 100_000_000, Watchdog = 500_000 };

    [SkippableFact]
    public async Task Every_operation_boundary_of_a_bert_layer_matches_the_golden_model_and_gives_per_operation_cycles()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var layer = LayerCompiler.CompileLayer(session.Design, QuantizedLayer.Create(LayerSpec.Preset("bert-tiny", 64), seed: 64));
        var modelled = layer.ModelledCycles(session.Design);

        // Act: run each program prefix that ends with an operation complete; cycles(op) = cycles(prefix) − cycles(previous prefix).
        var cycles = new List<long>();
        foreach (var op in layer.Ops)
        {
            var report = await session.RunAsync(layer.Program with { Length = op.End }, Bounded);
            Assert.True(report.Match, op.Name + ": " + GemmCosimTests.Describe(report));
            Assert.Equal(SimStatus.Done, report.Status);
            cycles.Add(report.Cycles);
        }

        // Assert
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine("operation            instructions      MACs   RTL cycles  modelled  utilization");
        for (var i = 0; i < layer.Ops.Count; i++)
        {
            var op = layer.Ops[i];
            var c = cycles[i] - (i == 0 ? 0 : cycles[i - 1]);
            var ideal = (double)op.Macs / (session.Design.Rows * session.Design.Cols);
            output.WriteLine(string.Create(inv, $"{op.Name,-20} {op.End - op.Start,12} {op.Macs,9} {c,12} {modelled[i].Cycles,9} {ideal / c,11:P1}"));
            Assert.True(c > 0, op.Name);
        }

        output.WriteLine(string.Create(inv, $"total {cycles[^1]} RTL cycles, {modelled.Sum(m => m.Cycles)} modelled"));
    }

    [SkippableFact]
    public async Task A_bert_layer_matches_the_golden_model_under_axi_latency_and_backpressure()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var program = LayerCompiler.Compile(session.Design, QuantizedLayer.Create(LayerSpec.Preset("bert-tiny", 24), seed: 4));
        var options = Bounded with { ReadLatency = 4, WriteLatency = 4, StallPercent = 20, Jitter = 3, Seed = 9 };

        // Act
        var report = await session.RunAsync(program, options);

        // Assert
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Cycles} cycles under latency 4, 20 % stalls, jitter 3"));
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Empty(report.Problems);
    }

    [SkippableFact]
    public async Task A_stack_of_two_layers_runs_as_one_program_bit_for_bit()
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var layer = LayerCompiler.CompileLayers(session.Design, QuantizedLayer.CreateStack(LayerSpec.Preset("bert-tiny", 16), seed: 5, layers: 2));

        // Act
        var report = await session.RunAsync(layer.Program, Bounded);

        // Assert
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"2 layers: {report.Cycles} cycles, utilization {report.Utilization:P1}"));
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Contains("L0.Y", report.ComparedTensors);
        Assert.Contains("L1.Y", report.ComparedTensors);
    }

    [SkippableTheory]
    [InlineData("small", "bert-tiny", 64, false)]
    [InlineData("small", "bert-tiny", 40, true)]
    [InlineData("tiny", "bert-tiny", 21, false)]
    [InlineData("default", "bert-mini", 33, false)]
    [InlineData("default", "bert-tiny", 64, true)]
    [InlineData("small", "bert-tiny", 64, true, true)]
    [InlineData("default", "gpt2-small", 64, true, true)]
    public async Task A_layer_matches_the_golden_model_bit_for_bit(string config, string preset, int seq, bool causal, bool preLn = false)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var q = QuantizedLayer.Create(LayerSpec.Preset(preset, seq) with { Causal = causal, PreLayerNorm = preLn }, seed: (ulong)seq);
        var program = LayerCompiler.Compile(session.Design, q);

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{config} {q.Spec}: {report.Cycles} cycles, {program.Instructions.Count} instructions, utilization {report.Utilization:P1}, compared {string.Join(",", report.ComparedTensors)}, {report.SimWallSeconds:F1} s"));
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Empty(report.Problems);
        Assert.Contains("Y", report.ComparedTensors);
    }
}
