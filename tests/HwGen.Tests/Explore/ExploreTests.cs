using HwGen.Explore;

namespace HwGen.Tests.Explore;

/// <summary>The design-space file, the Pareto front and a small model-only sweep (no RTL).</summary>
public sealed class ExploreTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hwgen-explore-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("workload: gemm:M=8,N=8,K=8\nsweep:\n  array.rowz: [8]\n", "array.rowz")]
    [InlineData("workload: gemm:M=8,N=8,K=8\nsweep:\n  array.rows: [8, 100]\n", "array.rows")]
    [InlineData("workload: gemm:M=8,N=8,K=8\nsweep:\n  scratchpad.kib: [48]\n", "scratchpad.kib")]
    [InlineData("workload: gemm:M=0,N=8,K=8\nsweep:\n  array.rows: [8]\n", "workload")]
    [InlineData("sweep:\n  array.rows: [8]\n", "workload")]
    [InlineData("workload: bert-tiny\nmodel:\n  depth: [2]\n", "depth")]
    [InlineData("workload: bert-tiny\nmodel:\n  hidden: [0]\n", "hidden")]
    [InlineData("workload: bert-tiny\nmodel:\n  ffn: {from: 512, to: 256}\n", "ffn")]
    [InlineData("workload: bert-tiny\nmodel:\n  heads: {from: 2, to: 4, by: 2}\n", "heads")]
    [InlineData("workload: bert-tiny:layers=2\nmodel:\n  layers: [2, 3]\n", "layers")]
    [InlineData("workload: gemm:M=8,N=8,K=8\nmodel:\n  layers: [2]\n", "model")]
    [InlineData("workload: bert-tiny\nmodel:\n  layers: [1]\naccuracy: missing.csv\n", "accuracy")]
    public void A_bad_space_file_names_the_key_and_line(string yaml, string key)
    {
        // Act
        var ex = Assert.Throws<SpaceFileException>(() => SpaceFile.Parse(yaml, Path.Combine(dir, "space.yaml")));

        // Assert
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Matches(@"space\.yaml:\d+: ", ex.Message);
    }

    [Fact]
    public void The_front_keeps_exactly_the_points_nothing_beats()
    {
        // Arrange
        double[][] points = [[1, 5], [2, 2], [3, 3], [5, 1], [2, 2]];

        // Act
        var front = ParetoFront.Of(points);

        // Assert: [3,3] is beaten by [2,2]; the two equal points both stay.
        Assert.Equal([0, 1, 3, 4], front);
    }

    [Fact]
    public async Task A_sweep_evaluates_every_point_marks_the_front_and_resumes_without_redoing_work()
    {
        // Arrange
        var yaml = $"base: {RepoPaths.Config("tiny")}\nworkload: gemm:M=32,N=32,K=32\nsweep:\n  array.rows: [4, 8]\n  array.cols: [4, 8]\n  array.tile_rows: [1, 3]\n";
        var space = SpaceFile.Parse(yaml, Path.Combine(dir, "space.yaml"));
        var settings = new ExploreSettings { Space = space, OutputDirectory = Path.Combine(dir, "out"), Jobs = 2 };

        // Act
        var first = await new ExploreRun(settings).RunAsync();
        var lines = File.ReadAllLines(Path.Combine(dir, "out", "results.jsonl")).Length;
        var second = await new ExploreRun(settings).RunAsync();

        // Assert
        Assert.Equal(8, first.Points);
        Assert.Equal(4, first.Invalid); // tile_rows 3 divides neither 4 nor 8
        Assert.Equal(4, first.Ok);
        Assert.Contains(first.Front, p => p.Values["array.rows"] == "8" && p.Values["array.cols"] == "8");
        Assert.All(first.Front, p => Assert.True(p.Cycles > 0 && p.EnergyUj > 0));
        Assert.Equal(8, second.Resumed);
        Assert.Equal(lines, File.ReadAllLines(Path.Combine(dir, "out", "results.jsonl")).Length);
        Assert.True(new FileInfo(Path.Combine(dir, "out", "pareto.png")).Length > 10_000);
    }

    [Fact]
    public async Task A_model_shape_search_evaluates_each_shape_and_keys_its_cache_by_the_estimator()
    {
        // Arrange: hidden 128 is not a multiple of 3 heads, so that shape is invalid.
        var yaml = $"base: {RepoPaths.Config("default")}\nworkload: bert-tiny\nmodel:\n  hidden: [128, 192]\n  heads: [2, 3]\n";
        var space = SpaceFile.Parse(yaml, Path.Combine(dir, "space.yaml"));
        var fast = new ExploreSettings { Space = space, OutputDirectory = Path.Combine(dir, "out"), Jobs = 2 };
        var replay = fast with { Estimator = EstimatorKind.Replay };

        // Act
        var first = await new ExploreRun(fast).RunAsync();
        var second = await new ExploreRun(replay).RunAsync();
        var points = File.ReadAllLines(Path.Combine(dir, "out", "points.csv"));

        // Assert
        Assert.Equal((4, 3, 1), (first.Points, first.Ok, first.Invalid));
        Assert.Equal(0, second.Resumed); // the replay does not reuse the fast estimates
        Assert.Contains("model.heads", points[0], StringComparison.Ordinal);
        Assert.All(points.Skip(1).Where(l => l.Contains(",ok,", StringComparison.Ordinal)), l => Assert.Contains(",replay,", l, StringComparison.Ordinal));
        Assert.All(first.Front, p => Assert.Equal("fast", p.Estimator));
        var (a, b) = (new PointEvaluator(space).Evaluate(0), new PointEvaluator(space, EstimatorKind.Replay).Evaluate(0));
        Assert.Equal(("ok", "ok"), (a.Status, b.Status));
        Assert.Equal(b.Cycles, a.Cycles, 0.10 * b.Cycles);
        Assert.Equal(b.EnergyUj, a.EnergyUj, 0.10 * b.EnergyUj);
    }

    [Fact]
    public async Task Accuracy_per_shape_from_a_csv_joins_the_front_and_shapes_without_a_line_are_reported()
    {
        // Arrange: the wider model is slower but more accurate, so both are on the front; hidden 384 has no line.
        await File.WriteAllTextAsync(Path.Combine(dir, "acc.csv"), "hidden,accuracy\n128,0.80\n256,0.85\n");
        var yaml = $"base: {RepoPaths.Config("default")}\nworkload: bert-tiny\nmodel:\n  hidden: [128, 256, 384]\naccuracy: acc.csv\n";
        var space = SpaceFile.Parse(yaml, Path.Combine(dir, "space.yaml"));

        // Act
        var run = await new ExploreRun(new ExploreSettings { Space = space, OutputDirectory = Path.Combine(dir, "out"), Jobs = 1 }).RunAsync();
        var csv = File.ReadAllLines(Path.Combine(dir, "out", "points.csv"));

        // Assert
        Assert.Equal(2, run.Ok);
        Assert.Equal(["128", "256"], run.Front.Select(p => p.Values["model.hidden"]).Order().ToArray());
        Assert.Equal([0.80, 0.85], run.Front.OrderBy(p => p.Cycles).Select(p => p.Accuracy ?? 0).ToArray());
        Assert.Contains(csv, l => l.Contains(",no_accuracy,", StringComparison.Ordinal));
    }
}
