using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Verif.Synth;

namespace HwGen.Tests.Rtl;

/// <summary>
/// configs/ice40.yaml fits an iCE40 HX8K: Yosys synthesizes it (with the place-and-route pin
/// harness as the top) without latches or block-RAM memories in flip-flops, and nextpnr-ice40
/// places and routes it within the device's logic cells and block RAMs at the 12 MHz it is
/// constrained to (about a minute: 20 s Yosys, 45 s nextpnr), as
/// `./hwgen synth configs/ice40.yaml --target ice40 --pnr` does.
/// </summary>
public sealed class Ice40FitTests
{
    [SkippableFact]
    public async Task The_ice40_configuration_synthesizes_cleanly_and_places_and_routes_on_an_HX8K()
    {
        // Arrange
        ExternalTool.Require("yosys", "yosys");
        ExternalTool.Require("nextpnr-ice40", "nextpnr-ice40");
        var design = DesignResolver.LoadFile(RepoPaths.Config("ice40"));
        var dir = Path.Combine(Path.GetTempPath(), "hwgen-ice40-fit-" + Guid.NewGuid().ToString("N")[..8]);
        RtlGenerator.Generate(design, dir, "hwgen generate configs/ice40.yaml");

        // Act
        var synth = await YosysSynth.RunAsync(dir, SynthTarget.Ice40);
        var placed = await Nextpnr.RunIce40Async(synth.Netlist!);

        // Assert
        Assert.True(synth.Ok, string.Join("\n", synth.Problems));
        Assert.Equal(0, synth.Latches);
        Assert.Equal(0, synth.Dsps);
        Assert.Equal(7680, placed.LogicCellsAvailable);
        Assert.InRange(placed.LogicCellsUsed, 1000, placed.LogicCellsAvailable);
        Assert.InRange(placed.RamsUsed, 1, 32);
        Assert.True(placed.FmaxMhz >= 12, $"fmax {placed.FmaxMhz} MHz is below the 12 MHz constraint");
        Directory.Delete(dir, recursive: true);
    }
}
