using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Performance;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Software;

public sealed class SoftmaxCompilerTests
{
    [Theory]
    [InlineData("tiny", 9, 17, false)]
    [InlineData("tiny", 5, 768, true)]
    [InlineData("small", 70, 40, true)]
    [InlineData("small", 3, 3072, false)]
    [InlineData("default", 130, 128, true)]
    [InlineData("default", 2, 4096, false)]
    public void Compiled_softmax_on_the_golden_simulator_matches_the_kernel_row_by_row(string config, int rows, int cols, bool causal)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var w = SoftmaxWorkload.Create(rows, cols, causal, seed: 3);

        // Act
        var program = RowOpCompiler.Compile(d, w);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        var y = program.Tensors.Single(t => t.Name == "Y").Read(result.Dram);
        Assert.Equal(Array.ConvertAll(w.ReferenceOutput(), v => (long)v), y);
        var tokens = TokenChecker.Check(d, program.Instructions);
        Assert.True(tokens.Ok, string.Join("; ", tokens.Errors));
        Assert.All(tokens.FinalCounters, c => Assert.Equal(0, c));
        Assert.True(PerfModel.Estimate(d, program).TotalCycles > 0);
    }

    [Fact]
    public void A_row_whose_blocks_do_not_fit_the_accumulator_is_a_compile_error_that_names_the_design()
    {
        // Arrange
        var d = TestConfigs.Load("tiny");

        // Act
        var error = Assert.Throws<ArgumentException>(() => RowOpCompiler.Compile(d, SoftmaxWorkload.Create(1, 3072)));

        // Assert
        Assert.Contains("768 accumulator rows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_causal_mask_zeroes_every_future_key_and_each_row_sums_to_about_one()
    {
        // Arrange
        var w = SoftmaxWorkload.Create(12, 12, causal: true, seed: 11);

        // Act
        var y = w.ReferenceOutput();

        // Assert
        for (var r = 0; r < 12; r++)
        {
            var row = y.AsSpan(r * 12, 12).ToArray();
            Assert.All(row[(r + 1)..], v => Assert.Equal(0, v));
            Assert.InRange(row.Sum(v => (int)v), 128 - 8, 128 + 1);
        }
    }
}
