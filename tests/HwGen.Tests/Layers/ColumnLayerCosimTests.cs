using System.Globalization;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;
using HwGen.Tests.Verif;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Layers;

/// <summary>Seeded post-LN layers on the per-column datapath (<c>columns=1</c>): bit-exact, and finer than one scale per tensor.</summary>
[Collection(CosimGroup.Name)]
public sealed class ColumnLayerCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private static readonly CosimOptions Bounded = new() { MaxCycles = 50_000_000, Watchdog = 500_000 };

    [SkippableTheory]
    [InlineData("bert-tiny:seq=32,columns=1,softmax_late=1")]
    [InlineData("bert-tiny:seq=24,columns=1,layers=2,heads=1/2")]
    public async Task A_column_datapath_layer_stack_matches_the_golden_model_bit_for_bit(string workload)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session("small");
        var run = LayerRun.Create(session.Design, WorkloadSpec.Parse(workload));

        // Act
        var report = await session.RunAsync(run.Program, Bounded);

        // Assert: every tensor of every layer compared, the int16 residual stream included.
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.Equal(SimStatus.Done, report.Status);
        Assert.All(run.Layers, q => Assert.NotNull(q.Columns));
        Assert.Empty(run.Layers.SelectMany((q, i) => LayerRun.Tensors(q, run.Floats[i]).Select(t => (run.Layers.Count == 1 ? "" : $"L{i}.") + t.Tensor))
            .Except(report.ComparedTensors));
    }

    [Fact]
    public void The_column_datapath_gives_vit_an_output_within_the_issue_bound_where_one_scale_per_tensor_does_not()
    {
        // Arrange: vit-b16 at its 197 tokens, the integer reference (what the golden model and the RTL equal).
        var spec = LayerCompiler.Shape(WorkloadSpec.Parse("vit-b16:softmax_late=1"));
        var reference = FloatLayer.Forward(spec, LayerWeights.Create(spec, 1));

        // Act
        var tensor = QuantizedLayer.CreateStack(spec, 1, 1)[0];
        var columns = QuantizedLayer.CreateColumnStack(spec, 1, 1, null, ColumnOptions.Recommended)[0];
        var yTensor = LayerAccuracy.Measure(IntLayerReference.Run(tensor).Y, tensor.ScaleY, reference.Y);
        var yColumns = LayerAccuracy.CosineSimilarity(IntLayerReference.Run(columns).YWide!.Select(v => v * columns.Columns!.Norm2.WideScale).ToArray(), reference.Y);

        // Assert: against the float layer on the unquantized weights (the weights' rounding counted).
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Y cosine: one scale per tensor {yTensor.Cosine:F5}, per-column datapath {yColumns:F5}"));
        Assert.True(yTensor.Cosine < 0.995, $"{yTensor.Cosine}");
        Assert.True(yColumns >= 0.999, $"{yColumns}");
    }
}
