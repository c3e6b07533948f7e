using HwGen.Tests.CommandLine;

namespace HwGen.Tests.Decode;

/// <summary>The <c>sim</c> command's checks of a big-little workload: every bad parameter exits 2 with one clear line, before any simulation.</summary>
[Collection(CliGroup.Name)]
public sealed class BildCliTests
{
    private const string Base = "bild:small=gpt2-small,large=gpt2-medium,generate=4,prompt=4,vocab=16";

    [Theory]
    [InlineData(Base + ",k=0", "k=0 is out of range 1..16")]
    [InlineData(Base + ",k=17", "k=17 is out of range 1..16")]
    [InlineData("bild:small=gpt2-large,large=gpt2-medium,k=4,generate=4", "small=gpt2-large is not a causal pre-LN decoder preset")]
    [InlineData("bild:small=gpt2-small,large=bert-tiny,k=4,generate=4", "large=bert-tiny is not a causal pre-LN decoder preset")]
    [InlineData("bild:small=gpt2-small,large=gpt2-medium,k=4", "missing generate=")]
    [InlineData("bild:large=gpt2-medium,k=4,generate=4", "missing small=")]
    [InlineData(Base + ",k=4,accept=/nonexistent/t.txt", "accept=/nonexistent/t.txt: cannot read the acceptance trace")]
    [InlineData(Base + ",k=4,accept=t.txt,rollback=0.2", "give accept=FILE or fallback=/rollback=, not both")]
    [InlineData(Base + ",k=4,fallback=1.5", "fallback=1.5 is not a probability strictly between 0 and 1")]
    [InlineData(Base + ",k=4,layers=1/2/3", "layers=1/2/3 is not N or SMALL/LARGE")]
    [InlineData(Base + ",k=4,temperature=2", "unknown parameter 'temperature' for bild")]
    [InlineData(Base + ",k=4,k=2", "parameter 'k' is given twice")]
    [InlineData("bild:small=gpt2-small,large=gpt2-medium,k=4,prompt=1000,generate=30", "prompt + generate = 1030 exceeds the context of 1024 tokens")]
    public void Bad_big_little_parameters_exit_2_with_one_line(string workload, string expected)
    {
        // Act
        var run = CliRunner.InProcess(["sim", RepoPaths.Config("default"), "--workload", workload], RepoPaths.Root);

        // Assert
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(run.ShowsStackTrace, run.ToString());
    }

    [Fact]
    public void A_garbled_trace_is_refused_with_its_line_before_any_simulation()
    {
        // Arrange
        var trace = BildCheck.WriteTrace("1111\n11x\n");

        // Act
        var run = CliRunner.InProcess(["sim", RepoPaths.Config("default"), "--workload", Base + ",k=4,accept=" + trace], RepoPaths.Root);
        File.Delete(trace);

        // Assert
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"accept={trace} line 2: '11x' is not a flag per drafted token", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Options_a_big_little_run_does_not_support_are_refused()
    {
        // Act
        var run = CliRunner.InProcess(["sim", RepoPaths.Config("default"), "--workload", Base + ",k=4", "--plot", "x.png"], RepoPaths.Root);

        // Assert
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not supported with a bild workload", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }
}
