using CliWrap;
using CliWrap.Buffered;
using HwGen.Explore;
using HwGen.Explore.Cost;
using HwGen.Generator.Design;
using HwGen.Tests.Rtl;
using HwGen.Verif.Jobs;
using HwGen.Verif.Synth;

namespace HwGen.Tests.Explore;

/// <summary>
/// The FPGA resource model (explore/Cost, docs/explore.md): the shipped coefficients are the fit of the stored
/// figures, reproduce the fit points and the held-out full syntheses within the errors docs/explore.md states, and
/// explore carries them; a fresh Yosys run of a configuration the fit never saw goes through the re-check's synthesis.
/// </summary>
public sealed class ResourceModelTests : IDisposable
{
    /// <summary>Stated largest |error| per resource (LUTs, FFs, DSPs, BRAMs), percent, against full flattened synthesis, with a row unit (docs/explore.md).</summary>
    private static readonly double[] StatedHeldOutErrorPct = [6, 5, 2, 2];

    /// <summary>The same without any row unit (the model overestimates small such configurations most).</summary>
    private static readonly double[] StatedHeldOutNoUnitsErrorPct = [40, 10, 10, 2];

    /// <summary>Stated largest |error| of the module sum against the hierarchical runs it was fitted to, percent.</summary>
    private static readonly double[] StatedFitErrorPct = [6, 5, 5, 10];

    private static readonly string Data = Path.Combine(RepoPaths.Root, "explore", "Cost");

    private readonly string dir = Directory.CreateTempSubdirectory("hwgen-resources-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void The_shipped_model_is_the_fit_of_the_stored_figures()
    {
        // Act
        var refit = ResourceFit.FitDirectory(Data);

        // Assert: explore/Cost/resource-model.json is what hwgen resource-fit writes from the stored data.
        Assert.Equal(refit.ToJson(), File.ReadAllText(Path.Combine(Data, "resource-model.json")));
        Assert.Equal(refit.ToJson(), ResourceModel.Default.ToJson());
        Assert.True(refit.FittedOn.Count >= 4, "the model is fitted on at least four configurations");
        Assert.NotEmpty(refit.CalibratedOn);
    }

    [Fact]
    public void The_model_reproduces_its_fit_points_within_the_stated_error()
    {
        // Act
        var rows = ResourceFit.FitErrors(ResourceModel.Default, Data);

        // Assert
        Assert.True(rows.Count >= 4);
        Assert.All(rows, r => AssertWithin(r, StatedFitErrorPct));
    }

    [Fact]
    public void The_model_matches_the_stored_held_out_syntheses_within_the_stated_error()
    {
        // Act
        var rows = ResourceFit.HeldOutErrors(ResourceModel.Default, Data);
        var fitted = ResourceModel.Default.FittedOn.ToHashSet(StringComparer.Ordinal);

        // Assert: at least two configurations the fit never saw, each within the stated error.
        Assert.True(rows.Count >= 3);
        Assert.All(rows, r => Assert.DoesNotContain(r.Name, fitted));
        Assert.All(rows, r => AssertWithin(r, Stated(r.Name)));
        Assert.Contains(rows, r => r.Name == "small");
    }

    [Fact]
    public void Per_module_figures_include_submodules_times_their_instances_and_survive_yosys_0_23_stat_text()
    {
        // Arrange: a top with two tiles of two PEs each; Yosys 0.23 prints the hierarchy as text inside the JSON.
        const string stat = """
            {
               "creator": "Yosys 0.23",
               "modules": {
                  "$paramod$abc\\hwgen_pe": { "num_cells_by_type": { "LUT6": 10, "FDRE": 4, "DSP48E1": 1 } },
                  "$paramod\\hwgen_tile\\N=2": { "num_cells_by_type": { "LUT2": 1, "$paramod$abc\\hwgen_pe": 2 } },
                  "\\hwgen_ctrl": { "num_cells_by_type": { "LUT1": 2 } },
                  "\\hwgen_top": { "num_cells_by_type": { "RAMB18E1": 3, "$paramod\\hwgen_tile\\N=2": 2, "hwgen_ctrl": 1 } }
               },
                 hwgen_top   1
                   $paramod\hwgen_tile\N=2   2
               "design": { }
            }
            """;

        // Act
        var byModule = YosysModules.FromStat(stat);

        // Assert
        Assert.Equal(new FpgaCounts(40, 16, 4, 0), byModule["hwgen_pe"]);
        Assert.Equal(new FpgaCounts(42, 16, 4, 0), byModule["hwgen_tile"]);
        Assert.Equal(new FpgaCounts(44, 16, 4, 1.5), byModule["hwgen_top"]);
    }

    [Fact]
    public void Bigger_configurations_cost_more_and_dsp_packing_halves_the_array_multipliers()
    {
        // Arrange
        var tiny = DesignResolver.LoadFile(RepoPaths.Config("tiny"));
        var small = DesignResolver.LoadFile(RepoPaths.Config("small"));
        var model = ResourceModel.Default;

        // Act
        var a = model.PredictModules(tiny)["array"];
        var packed = model.PredictModules(tiny with { DspPacking = true, TileCols = 2 })["array"];
        var noUnits = model.Predict(tiny with { UnitGelu = false, UnitSoftmax = false, UnitLayerNorm = false });

        // Assert
        Assert.True(model.Predict(small).Luts > model.Predict(tiny).Luts);
        Assert.Equal(tiny.Pes, a.Dsps, 0.5);
        Assert.Equal(tiny.Pes / 2.0, packed.Dsps, 0.5);
        Assert.True(noUnits.Dsps < model.Predict(tiny).Dsps - 100, "the row units hold most of tiny's DSPs");
        Assert.Equal(1.0, ResourceFeatures.BramsPerBank(512, 72));
        Assert.Equal(0.5, ResourceFeatures.BramsPerBank(1024, 18));
        Assert.Equal(4.0, ResourceFeatures.BramsPerBank(2048, 64)); // 4 × (512 × 72) or 2 × (2K × 18) × 2 … 4 RAMB36 either way
    }

    [Fact]
    public async Task Explore_output_carries_the_resource_columns_and_uses_area_as_an_objective()
    {
        // Arrange
        var yaml = $"base: {RepoPaths.Config("tiny")}\nworkload: gemm:M=16,N=16,K=16\nsweep:\n  array.rows: [4, 8]\n  units.gelu: [true, false]\n";
        var space = SpaceFile.Parse(yaml, Path.Combine(dir, "space.yaml"));
        var settings = new ExploreSettings { Space = space, OutputDirectory = Path.Combine(dir, "out"), Jobs = 1 };

        // Act
        var summary = await new ExploreRun(settings).RunAsync();
        var csv = File.ReadAllLines(Path.Combine(dir, "out", "points.csv"));
        var json = File.ReadAllText(Path.Combine(dir, "out", "points.json"));

        // Assert: GELU changes no cycles of a GEMM, so only the points without it are on the front (smaller area).
        foreach (var column in new[] { "luts", "ffs", "dsps", "brams", "area_lut_eq" })
        {
            Assert.Contains(column, csv[0].Split(','));
            Assert.Contains($"\"{column}\"", json, StringComparison.Ordinal);
        }

        Assert.Equal(2, summary.Front.Count);
        Assert.All(summary.Front, p => Assert.Equal("false", p.Values["units.gelu"]));
        Assert.All(summary.Front, p => Assert.True(p.Luts > 1000 && p.Dsps > 0 && p.AreaLutEq > p.Luts));
    }

    [SkippableFact]
    public async Task The_recheck_synthesizes_the_smallest_front_point_and_yosys_agrees_with_the_model()
    {
        // Arrange: one held-out point (explore/Cost/heldout/check-2x2.yaml; about a minute of Yosys), no co-simulation.
        ExternalTool.Require("yosys", "yosys");
        var cli = Path.Combine(RepoPaths.Root, "cli", "bin", "Release", "net10.0", "hwgen.dll");
        Skip.If(!File.Exists(cli) && !HwGen.Tests.Verif.RequiresVerilator.InCi, "the Release CLI is not built (./build.sh)");
        var config = Path.Combine(Data, "heldout", "check-2x2.yaml");
        var yaml = $"base: {config}\nworkload: gemm:M=8,N=8,K=8\nsweep:\n  array.rows: [2]\n";
        var settings = new ExploreSettings
        {
            Space = SpaceFile.Parse(yaml, Path.Combine(dir, "space.yaml")), OutputDirectory = Path.Combine(dir, "out"), Jobs = 1,
            SynthRecheck = new LocalJobRunner(1), MaxSynth = 1, HwgenCommand = ["dotnet", cli],
        };

        // Act
        var summary = await new ExploreRun(settings).RunAsync();
        var csv = File.ReadAllLines(Path.Combine(dir, "out", "recheck.csv"));

        // Assert
        var row = Assert.Single(summary.Recheck);
        Assert.True(row.Synthesized && !row.Simulated);
        Assert.Equal(0, row.SynthExitCode);
        Assert.NotNull(row.Measured);
        AssertWithin(new ResourceComparison("check-2x2", new FpgaCounts(row.Point.Luts, row.Point.Ffs, row.Point.Dsps, row.Point.Brams), row.Measured), StatedHeldOutNoUnitsErrorPct);
        Assert.Contains("synth_luts", csv[0], StringComparison.Ordinal);
        Assert.Equal(2, csv.Length);
    }

    [SkippableFact]
    public async Task Bad_explore_synthesis_options_get_one_line_and_exit_2()
    {
        // Arrange
        var cli = Path.Combine(RepoPaths.Root, "cli", "bin", "Release", "net10.0", "hwgen.dll");
        Skip.If(!File.Exists(cli), "the Release CLI is not built (./build.sh)");
        var space = Path.Combine(dir, "space.yaml");
        await File.WriteAllTextAsync(space, $"base: {RepoPaths.Config("tiny")}\nworkload: gemm:M=8,N=8,K=8\nsweep:\n  array.rows: [4]\n");

        foreach (var (args, key) in new[] { (new[] { "--max-synth", "2" }, "--max-synth"), (["--recheck", "--max-synth", "-1"], "--max-synth") })
        {
            // Act
            var result = await Cli.Wrap("dotnet").WithArguments([cli, "explore", space, "-o", Path.Combine(dir, "o"), .. args])
                .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

            // Assert
            Assert.Equal(2, result.ExitCode);
            var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(key, line, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(dir, "o")));
        }
    }

    [SkippableFact]
    public async Task Resource_fit_on_a_folder_without_fit_configurations_gets_one_line_and_exit_2()
    {
        // Arrange
        var cli = Path.Combine(RepoPaths.Root, "cli", "bin", "Release", "net10.0", "hwgen.dll");
        Skip.If(!File.Exists(cli), "the Release CLI is not built (./build.sh)");

        // Act
        var result = await Cli.Wrap("dotnet").WithArguments([cli, "resource-fit", "--dir", dir])
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

        // Assert
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--dir", Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "resource-model.json")));
    }

    private static double[] Stated(string heldOut) =>
        ResourceModel.UnitShare(DesignResolver.LoadFile(Path.Combine(Data, "heldout", heldOut + ".yaml"))) > 0 ? StatedHeldOutErrorPct : StatedHeldOutNoUnitsErrorPct;

    private static void AssertWithin(ResourceComparison r, double[] stated)
    {
        var names = new[] { "LUTs", "FFs", "DSPs", "BRAMs" };
        for (var i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(r.ErrorPct[i]) <= stated[i],
                $"{r.Name} {names[i]}: model {r.Model.ToArray()[i]:0.#}, measured {r.Measured.ToArray()[i]:0.#} ({r.ErrorPct[i]:+0.0;-0.0} %, stated ±{stated[i]} %)");
        }
    }
}
