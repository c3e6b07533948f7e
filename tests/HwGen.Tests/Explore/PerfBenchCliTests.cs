using HwGen.Tests.CommandLine;

namespace HwGen.Tests.Explore;

/// <summary><c>perf-bench</c>, <c>estimator-check</c> and the model-shape keys of <c>explore</c>, run as the CLI.</summary>
public sealed class PerfBenchCliTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hwgen-perfbench-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static Task<CliRun> Hwgen(params string[] args) => CliRunner.ProcessAsync(args, RepoPaths.Root);

    [Fact]
    public async Task Perf_bench_reports_evaluations_per_second_of_the_fast_estimator()
    {
        // Act
        var run = await Hwgen("perf-bench", "configs/default.yaml", "--workload", "bert-base:seq=128", "--seconds", "0.5");

        // Assert
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"fast estimator, bert-base:seq=128 on default: [\d,]+ cycles; [\d,]+ evaluations in [\d.]+ s on one core = [\d,.]+ evaluations/s", run.Out);
    }

    [Theory]
    [InlineData("perf-bench", "configs/tiny.yaml", "--workload", "layernorm:rows=4,cols=16", "--workload")]
    [InlineData("perf-bench", "configs/tiny.yaml", "--workload", "bert-base", "does not fit")]
    [InlineData("perf-bench", "configs/tiny.yaml", "--estimator", "guess", "--estimator")]
    [InlineData("estimator-check", "configs/nope.yaml", "--workloads", "bert-tiny", "nope.yaml")]
    [InlineData("estimator-check", "configs/default.yaml", "--workloads", "bert-tiny;gemm:M=16,N=512,K=512,wbits=4", "'gemm:M=16,N=512,K=512,wbits=4'")]
    [InlineData("estimator-check", "configs/default.yaml", "--workloads", "bert-base:seq=512,softmax_late=1", "softmax_late")]
    public async Task Bad_options_are_one_line_errors_with_exit_2(string command, string config, string option, string value, string named)
    {
        // Act
        var run = await Hwgen(command, config, option, value);

        // Assert
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Single(run.ErrorLines);
        Assert.Contains(named, run.Error, StringComparison.Ordinal);
        Assert.False(run.ShowsStackTrace, run.ToString());
    }

    [Fact]
    public async Task Explore_names_a_bad_model_key_and_exits_2_before_evaluating()
    {
        // Arrange
        var space = Path.Combine(dir, "space.yaml");
        await File.WriteAllTextAsync(space, "workload: bert-tiny\nmodel:\n  layers: [2]\n  width: [128]\n");

        // Act
        var run = await Hwgen("explore", space, "--output", Path.Combine(dir, "out"));

        // Assert
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Single(run.ErrorLines);
        Assert.Contains("space.yaml:4: model: unknown key 'width'", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }
}
