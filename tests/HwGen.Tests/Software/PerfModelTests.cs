using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Performance;
using HwGen.Software.Workloads;
using Xunit.Abstractions;

namespace HwGen.Tests.Software;

public sealed class PerfModelTests(ITestOutputHelper output)
{
    [Fact]
    public void The_512_cube_ws_gemm_on_the_default_config_is_predicted_above_90_percent_utilization()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var w = GemmWorkload.Create(512, 512, 512, seed: 1);

        // Act
        var program = GemmCompiler.Compile(d, w, Dataflow.Ws);
        var estimate = PerfModel.Estimate(d, program);
        output.WriteLine($"{program.Meta["tiling"]}: {program.Instructions.Count} instructions, {estimate}, utilization {estimate.Utilization:P1}");

        var os = PerfModel.Estimate(d, GemmCompiler.Compile(d, w, Dataflow.Os));
        output.WriteLine($"os: {os}, utilization {os.Utilization:P1}");

        // Assert
        Assert.True(estimate.Utilization >= 0.90, $"utilization {estimate.Utilization:P1}");
        Assert.True(estimate.LoadBusy < estimate.ExecuteBusy, "the load unit is the bottleneck");
    }

    [Theory]
    [InlineData("tiny", Dataflow.Ws)]
    [InlineData("tiny", Dataflow.Os)]
    [InlineData("default", Dataflow.Ws)]
    [InlineData("default", Dataflow.Os)]
    public void Predicted_cycles_are_never_below_the_ideal_or_the_array_active_cycles(string config, Dataflow dataflow)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var program = GemmCompiler.Compile(d, GemmWorkload.Create(100, 77, 45), dataflow);

        // Act
        var estimate = PerfModel.Estimate(d, program);
        output.WriteLine($"{config} {program.Meta["tiling"]}: {estimate}, utilization {estimate.Utilization:P1}");

        // Assert
        Assert.True(estimate.TotalCycles >= estimate.IdealCycles);
        Assert.True(estimate.TotalCycles >= estimate.ArrayActive);
        Assert.InRange(estimate.Utilization, 0.01, 1.0);
    }
}
