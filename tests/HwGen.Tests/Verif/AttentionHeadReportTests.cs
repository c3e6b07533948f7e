using HwGen.Software.Layers;
using HwGen.Verif;

namespace HwGen.Tests.Verif;

public sealed class AttentionHeadReportTests
{
    private const string Profile = """
        hwgen-exec-profile 1
        causes array_active pipeline load store normalize fetch other
        3 10 0 0 0 0 0 0
        7 20 0 0 0 0 0 0
        12 30 0 0 0 0 0 0
        store 5 40 25 1
        store 6 9 0 0
        store 9 50 50 1
        """;

    [Fact]
    public void The_store_lines_of_a_profile_give_each_heads_softmax_and_its_overlap_with_the_array()
    {
        // Arrange: head0.qk_softmax = pcs 0..5 (normalize at 5), head0.pv = 6..8, head1.qk_softmax = 9..11, head1.pv = 12..13
        var profile = ExecProfile.Parse(Profile);
        LayerOp[] ops = [new("head0.qk_softmax", 0, 6, 1), new("head0.pv", 6, 9, 1), new("head1.qk_softmax", 9, 12, 1), new("head1.pv", 12, 14, 1)];

        // Act
        var heads = AttentionHeadReport.From(ops, [10, 20, 0, 30], profile);

        // Assert: the store at pc 6 is not a normalize, so it is nobody's Softmax
        Assert.Equal(3, profile.StoreByInstruction.Count);
        Assert.Equal(new AttentionHeadReport("head0", 10, 40, 25, 20), heads[0]);
        Assert.Equal(new AttentionHeadReport("head1", 0, 50, 50, 30), heads[1]);
        Assert.Equal(0.625, heads[0].Overlap, 6);
        Assert.Throws<FormatException>(() => ExecProfile.Parse(Profile + "store 1 2\n"));
    }
}
