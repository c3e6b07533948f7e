using System.Globalization;
using HwGen.Software.Layers;
using HwGen.Software.References;
using HwGen.Software.Workloads;
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
    public async Task Every_intermediate_tensor_of_a_bert_layer_matches_the_golden_model_and_the_per_operation_cycles_add_up_to_the_run()
    {
        // Arrange: one run of the whole layer; the profile attributes its cycles to the operations.
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var run = LayerRun.Create(session.Design, QuantizedLayer.Create(LayerSpec.Preset("bert-tiny", 64), seed: 64));

        // Act
        var report = await session.RunAsync(run.Program, Bounded);
        var layer = run.Report(session.Design, report);

        // Assert: every tensor the layer writes was compared bit for bit, and every operation kind got cycles.
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Empty(LayerRun.Tensors(run.Quantized, run.Float).Select(t => t.Tensor).Except(report.ComparedTensors));
        Assert.Equal(run.Compiled.Ops.Select(o => LayerReport.Kind(o.Name)).Distinct(), layer.Operations.Select(o => o.Name));
        Assert.All(layer.Operations, o => Assert.True(o.Cycles > 0, o.Name));
        Assert.Equal(report.Cycles, layer.Cycles);
        Assert.Equal(run.Quantized.Spec.Macs, layer.Operations.Sum(o => o.Macs));
        var inv = CultureInfo.InvariantCulture;
        foreach (var o in layer.Operations)
        {
            output.WriteLine(string.Create(inv, $"{o.Name,-14} {o.Instructions,8} {o.Macs,10} {o.Cycles,10} {o.ModelledCycles,10} {o.Utilization,8:P1}"));
        }
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

    [SkippableFact]
    public async Task A_pruned_stack_with_unequal_heads_and_filters_per_layer_matches_the_golden_model_and_the_integer_reference()
    {
        // Arrange: layer 0 keeps 1 of 2 heads and 384 of 512 filters, layer 1 both heads and 200 filters.
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var stack = LayerCompiler.Stack(WorkloadSpec.Parse("bert-tiny:seq=40,layers=2,heads=1/2,ffn=384/200,seed=7"));
        var program = LayerCompiler.CompileLayers(session.Design, stack).Program;

        // Act
        var report = await session.RunAsync(program, Bounded, UntiledReference.ForLayers(stack));

        // Assert
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{program.Workload}: {report.Cycles} cycles, utilization {report.Utilization:P1}, {report.SimWallSeconds:F1} s"));
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.True(report.ReferenceMatch, report.ReferenceNote);
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.Equal((64, 384), (stack[0].Spec.AttentionWidth, stack[0].Spec.Ffn));
        Assert.Equal((128, 200), (stack[1].Spec.AttentionWidth, stack[1].Spec.Ffn));
        Assert.Contains("L0.H", report.ComparedTensors);
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
