using HwGen.Software.Layers;
using HwGen.Verif;

namespace HwGen.Tests.Report;

/// <summary>The per-operation table built from a per-instruction profile, without a simulator.</summary>
public sealed class LayerReportTests
{
    // Three operations over instructions [0, 4), [4, 7), [7, 10); two are heads of one kind.
    private static readonly LayerOp[] Ops =
    [
        new("q_proj", 0, 4, 6400),
        new("head0.pv", 4, 7, 1600),
        new("head1.pv", 7, 10, 1600),
    ];

    private static ExecProfile Profile() => ExecProfile.Parse(
        "hwgen-exec-profile 1\n" +
        "causes array_active pipeline load store normalize fetch other\n" +
        "1 50 2 10 0 0 1 0\n" +
        "3 30 1 5 4 0 0 0\n" +
        "5 20 0 7 0 3 0 0\n" +
        "8 25 0 2 0 0 0 0\n" +
        "10 0 0 0 6 0 0 2\n");

    [Fact]
    public void Operation_rows_add_up_to_every_profiled_cycle_and_per_head_operations_group_into_one_row()
    {
        // Act
        var report = LayerReport.Build("test layer", 64, Ops, [100, 40, 45], Profile(), 0.5, 1000);

        // Assert
        Assert.Equal(["q_proj", "pv"], report.Operations.Select(o => o.Name));
        var total = Profile().Totals().Sum();
        Assert.Equal(total, report.Cycles);
        Assert.Equal(total, report.Operations.Sum(o => o.Cycles));
        Assert.Equal(total, report.Breakdown.Total);
        var pv = report.Operations[1];
        Assert.Equal(2, pv.Count);
        Assert.Equal(["head0.pv", "head1.pv"], pv.Parts.Select(p => p.Name));
        Assert.Equal(pv.Cycles, pv.Parts.Sum(p => p.Cycles));
        Assert.Equal(85, pv.ModelledCycles);
        Assert.Equal(185, report.ModelledCycles);
        Assert.Equal(6, pv.Instructions);
    }

    [Fact]
    public void The_cycles_after_the_last_compute_belong_to_the_operation_of_the_last_instruction()
    {
        // Arrange: a run of the 7-instruction prefix keys its tail (6 store, 2 other cycles) by 7.
        var prefixProfile = ExecProfile.Parse(
            "hwgen-exec-profile 1\n" +
            "causes array_active pipeline load store normalize fetch other\n" +
            "1 50 2 10 0 0 1 0\n" +
            "5 20 0 7 0 3 0 0\n" +
            "7 0 0 0 6 0 0 2\n");

        // Act: the full run's tail row is keyed by 10, the program length.
        var full = LayerReport.Build("test layer", 64, Ops, null, Profile(), 0, 0);
        var prefix = LayerReport.Build("test layer", 64, Ops, null, prefixProfile, 0, 0, programLength: 7);

        // Assert
        var lastHead = full.Operations[1].Parts[1];
        Assert.Equal(25 + 2 + 6 + 2, lastHead.Cycles);
        Assert.Equal(6, lastHead.Breakdown.Store);
        Assert.Equal(2, lastHead.Breakdown.Other);
        Assert.Equal(20 + 7 + 3 + 6 + 2, prefix.Operations[1].Parts[0].Cycles);
        Assert.Equal(0, prefix.Operations[1].Parts[1].Cycles);
    }

    [Fact]
    public void Utilization_is_macs_over_cycles_times_processing_elements_and_idle_is_cycles_minus_busy()
    {
        // Act
        var report = LayerReport.Build("test layer", 64, Ops, null, Profile(), 0, 0);

        // Assert
        foreach (var op in report.Operations.Concat(report.Operations.SelectMany(o => o.Parts)))
        {
            Assert.Equal(op.Macs / 64.0, op.IdealCycles, 9);
            Assert.Equal(op.Macs / 64.0 / op.Cycles, op.Utilization, 9);
            Assert.Equal(op.Cycles - op.Breakdown.ArrayActive, op.Breakdown.ArrayIdle);
            Assert.Equal(op.Cycles, ExecCauses.All.Sum(op.Breakdown.Get));
        }

        Assert.Equal(report.IdealCycles / report.Cycles, report.Utilization, 9);
        Assert.Null(report.ModelledCycles);
    }

    [Fact]
    public void Without_a_profile_every_operation_has_zero_cycles_and_zero_utilization()
    {
        // Act
        var report = LayerReport.Build("test layer", 64, Ops, null, null, 0, 0);

        // Assert
        Assert.All(report.Operations, o => Assert.Equal(0, o.Cycles));
        Assert.All(report.Operations, o => Assert.Equal(0, o.Utilization));
    }

    [Theory]
    [InlineData("head0.qk_softmax", "qk_softmax")]
    [InlineData("head11.pv", "pv")]
    [InlineData("ffn2_ln2", "ffn2_ln2")]
    [InlineData("header.x", "header.x")]
    [InlineData("L2.head3.pv", "L2.pv")]
    [InlineData("L0.S4.head0.qk_softmax", "L0.qk_softmax")]
    [InlineData("L1.Sx.q_proj", "L1.Sx.q_proj")]
    public void Per_head_operation_names_map_to_their_kind(string name, string kind) =>
        Assert.Equal(kind, LayerReport.Kind(name));

    [Theory]
    [InlineData("not a profile\n")]
    [InlineData("hwgen-exec-profile 1\ncauses array_active load\n")]
    [InlineData("hwgen-exec-profile 1\ncauses array_active pipeline load store normalize fetch other\n3 1 2\n")]
    public void A_malformed_profile_is_a_format_error(string text) =>
        Assert.Throws<FormatException>(() => ExecProfile.Parse(text));

    [Fact]
    public void The_harness_header_names_the_profile_causes_and_the_queue_of_every_opcode()
    {
        // Act
        var header = HarnessParamsHeader.Render();

        // Assert
        foreach (var cause in ExecCauses.All)
        {
            Assert.Contains($"\"{ExecCauses.Key(cause)}\"", header, StringComparison.Ordinal);
        }

        foreach (var format in HwGen.Generator.Isa.IsaSpec.Formats)
        {
            Assert.Contains($"return kUnit{format.Unit};  // {format.Mnemonic}", header, StringComparison.Ordinal);
        }
    }
}
