using HwGen.Generator.Design;
using HwGen.Generator.Rendering;
using HwGen.Verif.Synth;

namespace HwGen.Tests.Rtl;

/// <summary>
/// configs/ice40.yaml fits an iCE40 HX8K: Yosys synthesizes it (with the place-and-route pin
/// harness as the top) without latches or block-RAM memories in flip-flops, and nextpnr-ice40
/// packs it into the device's logic cells and block RAMs. Packing takes seconds; the full place
/// and route for fmax (about two minutes) is `./hwgen synth configs/ice40.yaml --target ice40 --pnr`.
/// </summary>
public sealed class Ice40FitTests
{
    [SkippableFact]
    public async Task The_ice40_configuration_synthesizes_cleanly_and_packs_into_an_HX8K()
    {
        // Arrange
        ExternalTool.Require("yosys", "yosys");
        ExternalTool.Require("nextpnr-ice40", "nextpnr-ice40");
        var design = DesignResolver.LoadFile(RepoPaths.Config("ice40"));
        var dir = Path.Combine(Path.GetTempPath(), "hwgen-ice40-fit-" + Guid.NewGuid().ToString("N")[..8]);
        RtlGenerator.Generate(design, dir, "hwgen generate configs/ice40.yaml");

        // Act
        var synth = await YosysSynth.RunAsync(dir, SynthTarget.Ice40);
        var packed = await Nextpnr.RunIce40Async(synth.Netlist!, packOnly: true);

        // Assert
        Assert.True(synth.Ok, string.Join("\n", synth.Problems));
        Assert.Equal(0, synth.Latches);
        Assert.Equal(0, synth.Dsps);
        Assert.Equal(7680, packed.LogicCellsAvailable);
        Assert.InRange(packed.LogicCellsUsed, 1000, packed.LogicCellsAvailable);
        Assert.InRange(packed.RamsUsed, 1, 32);
        Directory.Delete(dir, recursive: true);
    }
}
