using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Layers;
using HwGen.Software.Programs;
using HwGen.Software.References;
using HwGen.Tests.Software;

namespace HwGen.Tests.Layers;

/// <summary>
/// Causal attention in the per-head lowering: each Softmax normalize spans only the columns of P that the P·V tile of
/// its rows reads, the masked columns past them stay unwritten, and the probabilities read as the reference's.
/// </summary>
public sealed class CausalAttentionTests
{
    [Theory]
    [InlineData("default", "bert-tiny", 100, false)]
    [InlineData("default", "bert-tiny", 160, true)]
    [InlineData("small", "bert-tiny", 96, false)]
    public void A_causal_normalize_spans_the_columns_its_pv_tile_reads_and_leaves_the_masked_rest_unwritten(string config, string preset, int seq, bool late)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var q = QuantizedLayer.Create(LayerSpec.Preset(preset, seq) with { Causal = true, LateSoftmax = late }, seed: (ulong)seq);
        var expected = IntLayerReference.Run(q);
        var program = LayerCompiler.Compile(d, q);
        var p = program.Tensors.Single(t => t.Name == "P");

        // Act
        var result = GoldenSimulator.Run(d, program);

        // Assert: the normalizes of P cover every query's keys, and the early tiles stop short of the row
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(seq, p.CausalSequence);
        var softmax = program.Instructions.Select(i => new InstructionView(i))
            .Where(v => v.Opcode == Opcode.Normalize && v.NormalizeFunc is NormalizeFunc.Softmax or NormalizeFunc.SoftmaxLate).ToList();
        Assert.Equal(q.Spec.Heads * ((seq + d.Rows - 1) / d.Rows), softmax.Count);
        foreach (var v in softmax)
        {
            var row = (int)((v.DramAddr - p.Address) / p.StrideBytes) % seq;
            Assert.InRange(v.Width, row + v.Rows, seq);
            Assert.Equal(row, v.MaskOffset);
        }

        Assert.Contains(softmax, v => v.Width < seq);
        Assert.Equal(seq, softmax.Max(v => v.Width));

        // the masked columns past a normalize's width were never written (still the image's poison), and read as 0
        var first = softmax[0];
        Assert.Equal(DramImage.Poison, result.Dram[first.DramAddr + first.Width]);
        Assert.True(p.Masked(0, (int)first.Width));
        foreach (var (name, values) in expected.Tensors())
        {
            var actual = program.Tensors.Single(t => t.Name == name).Read(result.Dram);
            Assert.True(values.SequenceEqual(actual), $"{name} differs from the integer reference");
        }
    }

    [Fact]
    public void A_causal_probability_tensor_reads_zero_above_the_diagonal_of_each_head_and_its_values_below()
    {
        // Arrange: two heads of 3 queries, every byte 5
        var region = new TensorRegion("P", TensorRole.Output, 0, 6, 3, 16, ElementType.Int8) { CausalSequence = 3 };
        var dram = Enumerable.Repeat((byte)5, 96).ToArray();

        // Act
        var values = region.Read(dram);

        // Assert
        Assert.Equal([5, 0, 0, 5, 5, 0, 5, 5, 5, 5, 0, 0, 5, 5, 0, 5, 5, 5], values);
        Assert.False(region.Masked(4, 1));
        Assert.True(region.Masked(4, 2));
    }
}
