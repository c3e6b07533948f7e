using CliWrap;
using CliWrap.Buffered;

namespace HwGen.Tests.Models;

/// <summary><c>./hwgen run</c> end to end through the built command-line tool.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("hwgen-run-").FullName;

    private static string Dll => Path.Combine(RepoPaths.Root, "cli", "bin", "Release", "net10.0", "hwgen.dll");

    [SkippableFact]
    public async Task A_file_that_is_not_a_model_exits_2_with_one_line_naming_it()
    {
        // Arrange
        RequireCli();
        var bad = Path.Combine(scratch, "bad.onnx");
        await File.WriteAllTextAsync(bad, "not a model");

        // Act
        var result = await Run("run", "configs/default.yaml", "--model", bad, "--text", "hello");

        // Assert
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {bad}: not a", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Sentences_without_a_configuration_exit_2_before_the_model_is_read()
    {
        // Arrange
        RequireCli();

        // Act
        var result = await Run("run", "--model", "minilm", "--text", "hello");

        // Assert
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("needs the accelerator's configuration", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("minilm: post-LN", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task MiniLm_runs_a_sentence_bit_exact_in_cosimulation_and_reports_its_cosine_as_json()
    {
        // Arrange: the README's first model command.
        RequireCli();
        HwGen.Tests.Rtl.ExternalTool.Require("verilator", "verilator");
        var json = Path.Combine(scratch, "run.json");

        // Act
        var result = await Run("run", "configs/default.yaml", "--model", "minilm", "--text", "Engineers verify the accelerator bit for bit.", "--json", json);

        // Assert
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains("PASS", result.StandardOutput, StringComparison.Ordinal);
        using var doc = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var sentence = doc.RootElement.GetProperty("sentences")[0];
        Assert.True(sentence.GetProperty("bit_exact").GetBoolean());
        Assert.True(sentence.GetProperty("cycles").GetInt64() > 0);
        Assert.True(sentence.GetProperty("float_cosine").GetDouble() > 0.99999);
        Assert.True(sentence.GetProperty("integer_cosine").GetDouble() > 0.85);
        Assert.Equal(384, sentence.GetProperty("embedding").GetArrayLength());
    }

    [SkippableFact]
    public async Task Golden_only_runs_several_sentences_and_reports_their_spearman()
    {
        // Arrange
        RequireCli();

        // Act
        var result = await Run("run", "configs/default.yaml", "--model", "minilm", "--golden-only",
            "--text", "A man is playing a guitar.", "--text", "Stock markets fell sharply today.", "--text", "Someone plays an instrument.");

        // Assert
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains("golden only", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Spearman of pairwise similarities", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("PASS", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("""{ "layers": [ { "heads": [0, 0] } ] }""", "layer 0: heads must be listed ascending without repeats (0 then 0)")]
    [InlineData("""{ "layers": [ {}, {}, {}, {}, {}, { "heads": [32] } ] }""", "layer 5: head 32 is out of range 0..11")]
    [InlineData("""{ "layers": [ {}, {}, {}, {}, {}, {} ], "x": 1 }""", "unknown key 'x'")]
    public async Task Bad_pruning_masks_exit_2_with_one_line_naming_the_file_and_the_layer(string json, string message)
    {
        // Arrange
        RequireCli();
        var masks = Path.Combine(scratch, "masks.json");
        await File.WriteAllTextAsync(masks, json);

        // Act
        var result = await Run("run", "configs/default.yaml", "--model", "minilm", "--golden-only", "--text", "hello", "--prune-masks", masks);

        // Assert
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Contains("masks", line, StringComparison.Ordinal);
        Assert.DoesNotContain("golden only", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("2:keep=1.5", "keep is more than 1")]
    [InlineData("6:keep=0.5", "layer 6 is out of range 1..5")]
    [InlineData("2:keep=0", "would prune [CLS]")]
    [InlineData("2:drop=0.5", "neither keep nor threshold")]
    public async Task Bad_token_pruning_exits_2_with_one_line_naming_the_point(string points, string message)
    {
        // Arrange
        RequireCli();

        // Act
        var result = await Run("run", "configs/default.yaml", "--model", "minilm", "--golden-only", "--text", "hello", "--prune-tokens", points);

        // Assert
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--prune-tokens", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("cosine", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("--calibrated-thresholds", "give --prune-tokens")]
    [InlineData("--study", "--study runs the unpruned model")]
    [InlineData("--relative-thresholds", "give --calibrated-thresholds")]
    public async Task Token_pruning_options_that_do_not_fit_together_exit_2_before_any_work(string option, string message)
    {
        // Arrange
        RequireCli();
        string[] prune = option == "--study" ? ["--prune-tokens", "2:keep=0.5"] : [];

        // Act
        var result = await Run(["run", "configs/default.yaml", "--model", "minilm", "--golden-only", "--text", "hello", option, .. prune]);

        // Assert
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.DoesNotContain("minilm:", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("1.5", "error: --macs 1.5: must be between 0.001 and 1")]
    [InlineData("0", "error: --macs 0: must be between 0.001 and 1")]
    public async Task Prune_with_a_budget_outside_0_to_1_exits_2_before_the_model_is_read(string macs, string message)
    {
        // Arrange
        RequireCli();

        // Act
        var result = await Run("prune", "--model", "minilm", "--macs", macs, "--output", Path.Combine(scratch, "m.json"));

        // Assert
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(message, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("minilm: post-LN", result.StandardOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(scratch, "m.json")));
    }

    [SkippableTheory]
    [InlineData("give a budget: --macs F")]
    [InlineData("error: --cycles 0.6: the cycle budget needs --config CONFIG", "--cycles", "0.6")]
    [InlineData("error: --cycles 1.5: must be between 0.001 and 1", "--cycles", "1.5", "--config", "configs/default.yaml")]
    [InlineData("error: --batch-tokens 0: must be between 1 and 4096", "--macs", "0.6", "--config", "configs/default.yaml", "--batch-tokens", "0")]
    [InlineData("error: --config", "--cycles", "0.6", "--config", "configs/none.yaml")]
    public async Task Prune_with_a_bad_cycle_budget_exits_2_with_one_line_before_the_model_is_read(string message, params string[] options)
    {
        // Arrange
        RequireCli();

        // Act
        var result = await Run(["prune", "--model", "minilm", "--output", Path.Combine(scratch, "m.json"), .. options]);

        // Assert
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("minilm: post-LN", result.StandardOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(scratch, "m.json")));
    }

    [SkippableTheory]
    [InlineData("pruned.txt", "the pruned ONNX model needs a file name ending in .onnx")]
    [InlineData("", "is a folder; give a file name for the pruned ONNX model")]
    public async Task Prune_with_a_bad_onnx_output_exits_2_before_the_model_is_read(string name, string message)
    {
        // Arrange
        RequireCli();
        var onnx = name.Length == 0 ? Directory.CreateDirectory(Path.Combine(scratch, "x.onnx")).FullName : Path.Combine(scratch, name);

        // Act
        var result = await Run("prune", "--model", "minilm", "--macs", "0.6", "--output", Path.Combine(scratch, "m.json"), "--onnx", onnx);

        // Assert
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--onnx", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("minilm: post-LN", result.StandardOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(scratch, "m.json")));
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    private static void RequireCli() =>
        Skip.If(!File.Exists(Dll) && Environment.GetEnvironmentVariable("CI") != "true", "the Release CLI is not built (./build.sh)");

    private static Task<BufferedCommandResult> Run(params string[] args) =>
        Cli.Wrap("dotnet").WithArguments([Dll, .. args]).WithWorkingDirectory(RepoPaths.Root).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
}
