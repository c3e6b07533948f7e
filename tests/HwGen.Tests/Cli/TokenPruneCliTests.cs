namespace HwGen.Tests.CommandLine;

/// <summary><c>sim --prune-tokens</c> refuses bad thresholds and budgets in one line, exit 2, before any RTL is generated.</summary>
[Collection(CliGroup.Name)]
public sealed class TokenPruneCliTests : IDisposable
{
    private readonly Scratch scratch = new();

    [Theory]
    [InlineData("2:keep=-0.5", "keep is negative")]
    [InlineData("2:threshold=1.5", "threshold is more than 1")]
    [InlineData("4:keep=0.5", "layer 4 is out of range 1..3")]
    [InlineData("2:keep=0", "would prune [CLS]")]
    public async Task Bad_token_pruning_exits_2_with_one_line_before_simulating(string prune, string message)
    {
        // Arrange
        string[] args = ["sim", scratch.Config, "--workload", "bert-tiny:seq=16,layers=4", "--prune-tokens", prune];

        // Act
        var run = await CliRunner.ProcessAsync(args, scratch.Work);

        // Assert
        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: --prune-tokens: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(scratch.Work, "rtl-out")), "the RTL was generated, so work started before the check");
    }

    [Fact]
    public async Task Token_pruning_of_a_workload_that_is_not_a_layer_stack_exits_2()
    {
        // Act
        var run = await CliRunner.ProcessAsync(["sim", scratch.Config, "--workload", "gemm:M=4,N=4,K=4", "--prune-tokens", "1:keep=0.5"], scratch.Work);

        // Assert
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("not a layer preset", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    public void Dispose() => scratch.Dispose();
}
