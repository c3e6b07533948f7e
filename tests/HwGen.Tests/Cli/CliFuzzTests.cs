using System.Globalization;

namespace HwGen.Tests.CommandLine;

/// <summary>
/// Seeded random command lines for every command, run in-process: valid flags with bad values,
/// bad paths of every class and random or truncated input files. Each case carries at least one
/// argument the checks must reject, so nothing may simulate, synthesize or write; only `generate`
/// cases with nothing but a random configuration may succeed, and then only into their --output.
/// </summary>
[Collection(CliGroup.Name)]
public sealed class CliFuzzTests : IDisposable
{
    private const int Cases = 2000;

    private readonly Scratch scratch = new();

    [Fact]
    public void Random_command_lines_with_bad_arguments_exit_with_a_documented_code_print_no_stack_trace_and_write_nothing()
    {
        // Arrange
        var files = new FuzzFiles(scratch);
        var random = new Random(16);
        var failures = new List<string>();
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < Cases && failures.Count < 5; i++)
        {
            var draw = CommandLineDraw.Next(random, files, scratch, i);
            var before = scratch.Snapshot();

            // Act
            var run = CliRunner.InProcess(draw.Args, scratch.Work);

            // Assert (collected, so one run reports several distinct failures)
            var after = scratch.Snapshot().Where(p => draw.AllowedOutput is null || !p.StartsWith(draw.AllowedOutput, StringComparison.Ordinal)).ToList();
            var problems = new List<string>();
            if (!CliRun.DocumentedExitCodes.Contains(run.ExitCode) || run.ExitCode == 70)
            {
                problems.Add($"exit {run.ExitCode}");
            }

            if (draw.MustBeRejected && (run.ExitCode != 2 || run.ErrorLines.Count != 1 || !run.ErrorLines[0].StartsWith("error: ", StringComparison.Ordinal)))
            {
                problems.Add("not rejected with exit 2 and one 'error:' line");
            }

            if (run.ShowsStackTrace)
            {
                problems.Add("stack trace printed");
            }

            if (!before.Where(p => draw.AllowedOutput is null || !p.StartsWith(draw.AllowedOutput, StringComparison.Ordinal)).SequenceEqual(after))
            {
                problems.Add("wrote outside its named outputs: " + string.Join(", ", after.Except(before).Concat(before.Except(after)).Take(3)));
            }

            if (problems.Count > 0)
            {
                failures.Add($"case {i}: hwgen {string.Join(' ', draw.Args)}\n  {string.Join("; ", problems)}\n  {run.ToString().ReplaceLineEndings("\n  ")}");
            }

            var key = $"{draw.Args[0]} exit {run.ExitCode}";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            if (draw.AllowedOutput is not null && Directory.Exists(draw.AllowedOutput))
            {
                Directory.Delete(draw.AllowedOutput, recursive: true);
            }
        }

        // Assert
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.All(["generate", "sim", "synth", "fuzz", "isa-doc"], c => Assert.Contains(outcomes.Keys, k => k.StartsWith(c + " ", StringComparison.Ordinal)));
        Assert.True(outcomes.Values.Sum() == Cases, string.Join(", ", outcomes.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key}: {o.Value}"))));
    }

    public void Dispose() => scratch.Dispose();
}
