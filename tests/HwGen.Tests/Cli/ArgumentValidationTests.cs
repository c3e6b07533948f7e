extern alias hwgencli;

using hwgencli::HwGen.Cli;
using hwgencli::HwGen.Cli.Outputs;

namespace HwGen.Tests.CommandLine;

/// <summary>
/// The CLI checks every argument before any work: a bad one is one line naming the argument and
/// the reason, exit 2, and nothing is written. Unexpected exceptions become exit 70 with the stack
/// trace in a log file; a file-system failure after work names what was and was not written.
/// </summary>
[Collection(CliGroup.Name)]
public sealed class ArgumentValidationTests : IDisposable
{
    private readonly Scratch scratch = new();

    [Theory]
    [InlineData("--json", "/proc/x.json")]
    [InlineData("--dump", "/proc/dumpdir")]
    public async Task The_issues_sim_runs_with_a_proc_output_exit_2_with_one_line_before_simulating(string option, string path)
    {
        // Arrange
        string[] args = ["sim", scratch.Config, "--workload", "gemm:M=4,N=4,K=4", option, path];

        // Act
        var run = await CliRunner.ProcessAsync(args, scratch.Work);

        // Assert
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal([$"error: {option} {path}: is under /proc, a device or kernel file system, not a place for files; choose a regular path"], run.ErrorLines);
        Assert.DoesNotContain("PASS", run.Out, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(scratch.Work, "rtl-out")), "the RTL was generated, so work started before the check");
    }

    [Fact]
    public async Task Generate_with_a_missing_config_says_so_in_one_line_without_the_config_key_advice()
    {
        // Act
        var run = await CliRunner.ProcessAsync(["generate", "/nonexistent.yaml"], scratch.Work);

        // Assert
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(["error: config /nonexistent.yaml: no such file (the configuration YAML to read)"], run.ErrorLines);
        Assert.DoesNotContain("Fix the keys", run.Out + run.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadArguments()
    {
        var data = new TheoryData<string, string, string>();
        void Add(string args, string argument, string reason) => data.Add(args, argument, reason);
        Add("generate {inputs}", "config", "is a folder");
        Add("generate {inputs}/missing.yaml", "config", "no such file");
        Add("generate {config} --output {config}", "--output", "is a file, not a folder");
        Add("generate {config} --output {config}/sub", "--output", "is a file, so the folder cannot be created");
        Add("generate {config} --output /sys/hwgen", "--output", "under /sys");
        Add("generate /dev/full", "config", "under /dev");
        Add("sim {config} -w gemm:M=4,N=4,K=4 --json {inputs}", "--json", "needs a file name ending in .json");
        Add("sim {config} -w gemm:M=4,N=4,K=4 --json {config}/r.json", "--json", "tiny.yaml is a file, so no file can be created inside it");
        Add("sim {config} -w gemm:M=4,N=4,K=4 --json {inputs}/" + new string('j', 300) + ".json", "--json", "has a name of 305 bytes");
        Add("sim {config} -w gemm:M=4,N=4,K=4 --plot {inputs}/p.txt", "--plot", "ending in .png");
        Add("sim {config} -w gemm:M=4,N=4,K=4 --dump /dev/null", "--dump", "under /dev");
        Add("sim {config} -w gemm:M=4,N=4,K=4 --trace --trace-file /proc/self/t.fst", "--trace-file", "under /proc");
        Add("sim {config} -w gemm:M=4,N=4,K=4 --stall-pct 96", "--stall-pct", "between 0 and 95");
        Add("sim {config} -w gemm:M=4,N=4,K=4 --latency -1", "--latency", "between 0 and 1000");
        Add("sim {config} -w gemm:M=4,N=4,K=4 --max-cycles 0", "--max-cycles", "between 1 and");
        Add("sim {config} -w gemm:M=4,N=4,K=4 --latency x", "--latency", "Cannot parse");
        Add("sim {config} --program {config}", "--program", "not a valid assembly program");
        Add("sim {config} --program {program} --memory {inputs}", "--memory", "is a folder");
        Add("sim {config} --program {program} --memory {inputs}/huge.bin", "--memory", "a memory image may be at most 268,435,456 bytes");
        Add("sim {inputs}/huge.bin -w gemm:M=4,N=4,K=4", "config", "a configuration YAML may be at most");
        Add("sim {inputs}/binary.yaml -w gemm:M=4,N=4,K=4", "config", "is not a text file");
        Add("synth {config} --json /dev/full", "--json", "ending in .json");
        Add("synth {config} --target altera", "--target", "altera");
        Add("fuzz --minutes 0", "--minutes", "between 0.001");
        Add("fuzz --output {config}", "--output", "is a file, not a folder");
        Add("isa-doc extra", "extra", "Unrecognized");
        return data;
    }

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void A_bad_argument_is_one_line_naming_it_with_exit_2_and_nothing_is_written(string template, string argument, string reason)
    {
        // Arrange
        using (var huge = File.Create(Path.Combine(scratch.Inputs, "huge.bin")))
        {
            huge.SetLength(InputFormatLimit + 1); // sparse: costs no disk
        }

        File.WriteAllBytes(Path.Combine(scratch.Inputs, "binary.yaml"), [0x6e, 0x61, 0x00, 0x01]);
        var args = template.Replace("{inputs}", scratch.Inputs, StringComparison.Ordinal).Replace("{config}", scratch.Config, StringComparison.Ordinal)
            .Replace("{program}", scratch.Program, StringComparison.Ordinal).Split(' ');
        var before = scratch.Snapshot();

        // Act
        var run = CliRunner.InProcess(args, scratch.Work);

        // Assert
        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(argument, line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.False(run.ShowsStackTrace, run.ToString());
        Assert.Equal(before, scratch.Snapshot());
    }

    [Fact]
    public async Task A_report_that_cannot_be_written_after_the_work_names_what_failed_and_what_is_complete()
    {
        // Arrange
        OutputLog.Clear();
        OutputLog.Add("--dump", "/tmp/some-dump");
        var error = new StringWriter();
        var old = Console.Error;
        bool written;

        // Act
        Console.SetError(error);
        try
        {
            written = await OutputFiles.TryWriteAsync("--json", "/dev/full", "{}", CancellationToken.None);
        }
        finally
        {
            Console.SetError(old);
            OutputLog.Clear();
        }

        // Assert
        Assert.False(written);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --json /dev/full: not written (", line, StringComparison.Ordinal);
        Assert.EndsWith("; complete: --dump /tmp/some-dump", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unexpected_exception_is_an_internal_error_with_exit_70_a_repro_line_and_the_stack_trace_only_in_the_log()
    {
        // Arrange
        var logs = Path.Combine(scratch.Root, "logs");
        Directory.CreateDirectory(logs);
        var error = new StringWriter();
        var old = Console.Error;
        Environment.SetEnvironmentVariable("HWGEN_LOG_DIR", logs);
        int code;

        // Act
        Console.SetError(error);
        try
        {
            code = TopLevelGuard.Run(["sim", "a b.yaml", "--workload", "gemm:M=4"], () => throw new InvalidOperationException("the model broke"));
        }
        finally
        {
            Console.SetError(old);
            Environment.SetEnvironmentVariable("HWGEN_LOG_DIR", null);
        }

        // Assert
        Assert.Equal(70, code);
        var run = new CliRun(code, string.Empty, error.ToString());
        Assert.False(run.ShowsStackTrace, run.ToString());
        Assert.Equal("internal error: InvalidOperationException: the model broke", run.ErrorLines[0]);
        Assert.Equal("reproduce with: ./hwgen sim 'a b.yaml' --workload gemm:M=4", run.ErrorLines[1]);
        var log = Assert.Single(Directory.GetFiles(logs));
        Assert.Contains(log, run.ErrorLines[2], StringComparison.Ordinal);
        Assert.Contains("at HwGen.Tests.CommandLine.ArgumentValidationTests", File.ReadAllText(log), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_system_error_after_the_checks_is_one_line_and_exit_2_not_an_internal_error()
    {
        // Arrange
        var error = new StringWriter();
        var old = Console.Error;
        int code;

        // Act
        Console.SetError(error);
        try
        {
            code = TopLevelGuard.Run(["generate", "x.yaml"], () => throw new IOException("No space left on device : '/x/rtl-out/hwgen_top.v'"));
        }
        finally
        {
            Console.SetError(old);
        }

        // Assert
        Assert.Equal(2, code);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("error: an output could not be written (No space left on device : '/x/rtl-out/hwgen_top.v'); nothing else was written", line);
    }

    private const long InputFormatLimit = 256L * 1024 * 1024;

    public void Dispose() => scratch.Dispose();
}
