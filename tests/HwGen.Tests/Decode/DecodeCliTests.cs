using HwGen.Tests.CommandLine;

namespace HwGen.Tests.Decode;

/// <summary>The <c>sim</c> command's checks of a generation workload: every bad parameter exits 2 with one clear line, before any simulation.</summary>
[Collection(CliGroup.Name)]
public sealed class DecodeCliTests
{
    [Theory]
    [InlineData("gpt2-small:prompt=8,generate=2,causal=0", "causal=0 cannot generate text")]
    [InlineData("gpt2-small:prompt=8", "need generate=N")]
    [InlineData("gpt2-small:prompt=1000,generate=25", "exceeds the context of 1024 tokens")]
    [InlineData("gpt2-small:prompt=8,generate=0", "generate=0 is out of range 1..1024")]
    [InlineData("gpt2-medium:prompt=8,generate=2,vocab=50258", "vocab=50258 is out of range 2..50257")]
    [InlineData("bert-tiny:prompt=8,generate=2", "unknown parameter 'prompt' for bert-tiny")]
    [InlineData("gpt2-small:prompt=8,generate=2,chunk=0", "chunk=0 is out of range 1..1024")]
    [InlineData("gpt2-small:prompt=8,generate=2,batch=0", "batch=0 is out of range 1..64")]
    [InlineData("gpt2-small:prompt=8,generate=2,batch=65", "batch=65 is out of range 1..64")]
    [InlineData("gpt2-small:prompt=8,generate=2,chunk=9", "chunk=9 exceeds the longest prompt (8 tokens)")]
    [InlineData("gpt2-small:prompt=4/5/6,generate=2,batch=2", "prompt= has 3 values for batch=2")]
    [InlineData("gpt2-small:prompt=4/0,generate=2", "prompt=0 is out of range 1..1024")]
    [InlineData("gpt2-small:prompt=4/x,generate=2", "list of integers separated by '/' (one per sequence)")]
    [InlineData("gpt2-small:prompt=4/1020,generate=5", "prompt + generate = 1025 exceeds the context of 1024 tokens")]
    [InlineData("gpt2-small:prompt=8,batch=2", "need generate=N")]
    [InlineData("gpt2-small:prompt=8,chunk=2", "need generate=N")]
    [InlineData("gpt2-small:prompt=8,tied=0", "need generate=N")]
    [InlineData("gpt2-small:prompt=8,generate=2,tied=2", "tied=2 is out of range 0..1")]
    [InlineData("bert-tiny:seq=8,batch=2", "unknown parameter 'batch' for bert-tiny")]
    [InlineData("gpt2-small:prompt=8,generate=2,wbits=6", "wbits=6 is not 4 or 8 (int4 or int8 weights)")]
    [InlineData("gpt2-small:prompt=8,generate=2,wbits=3", "wbits=3 is out of range 4..8")]
    [InlineData("bert-tiny:seq=8,wbits=5", "wbits=5 is not 4 or 8 (int4 or int8 weights)")]
    [InlineData("gpt2-small:prompt=8,generate=2,columns=1", "columns=1 (the per-column datapath) is for post-LN layers")]
    [InlineData("gpt2-small:seq=16,columns=1", "the per-column datapath (16-bit residual stream) is for post-LN layers, and gpt2-small is pre-LN")]
    [InlineData("bert-tiny:seq=16,columns=1,wbits=4", "columns=1 (the per-column datapath) takes int8 weights")]
    [InlineData("bert-tiny:seq=16,columns=2", "columns=2 is out of range 0..1")]
    public void Bad_generation_parameters_exit_2_with_one_line(string workload, string expected)
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
    public void Options_a_generation_does_not_support_are_refused()
    {
        // Act
        var run = CliRunner.InProcess(["sim", RepoPaths.Config("default"), "--workload", "gpt2-small:prompt=4,generate=1,vocab=8", "--dataflow", "ws"], RepoPaths.Root);

        // Assert
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--dataflow is not supported with a generation workload", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bert-tiny:seq=8", "--golden-prefill applies to a generation workload")]
    [InlineData("gemm:M=16,N=16,K=16", "--golden-prefill applies to a generation workload")]
    public void A_golden_prefill_without_a_generation_is_refused(string workload, string expected)
    {
        // Act
        var run = CliRunner.InProcess(["sim", RepoPaths.Config("default"), "--workload", workload, "--golden-prefill"], RepoPaths.Root);

        // Assert
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }
}
