using HwGen.Verif.Synth;

namespace HwGen.Tests.Rtl;

/// <summary>The synthesis summary reads Yosys's log: intended block RAM in flip-flops or LUT RAM is a problem.</summary>
public sealed class SynthSummaryTests
{
    private static readonly Dictionary<string, long> NoCells = [];

    [Theory]
    [InlineData("mapping memory hwgen_top.u_accumulator.gen_bank[0].u_ram.mem via $__XILINX_LUTRAM_SDP_\n", "LUT RAM")]
    [InlineData("Mapping memory \\mem in module \\hwgen_top.u_scratchpad.gen_bank[1].u_ram:\n", "flip-flops")]
    public void A_flattened_scratchpad_or_accumulator_bank_outside_block_ram_is_a_problem(string log, string kind)
    {
        // Act
        var result = YosysSynth.Summarize(SynthTarget.Xilinx, NoCells, log, 1, "yosys.log");

        // Assert
        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Contains("u_ram", StringComparison.Ordinal) && p.Contains(kind, StringComparison.Ordinal));
    }

    [Fact]
    public void Queues_in_lut_ram_and_case_statement_roms_are_not_problems()
    {
        // Arrange
        var log = "mapping memory hwgen_top.u_accumulator.gen_bank[0].u_ram.mem via $__XILINX_BLOCKRAM_SDP_\n" +
                  "mapping memory hwgen_top.u_exec_q.mem via $__XILINX_LUTRAM_SDP_\n" +
                  "Mapping memory $auto$proc_rom.cc:150:do_switch$13007 in module \\hwgen_top.u_fetch:\n";

        // Act
        var result = YosysSynth.Summarize(SynthTarget.Ice40, NoCells, log, 1, "yosys.log");

        // Assert
        Assert.True(result.Ok, string.Join("\n", result.Problems));
        Assert.Equal("block RAM", result.Memories["hwgen_top.u_accumulator.gen_bank[0].u_ram.mem"]);
        Assert.DoesNotContain(result.Memories.Keys, k => k.Contains("proc_rom", StringComparison.Ordinal));
    }
}
