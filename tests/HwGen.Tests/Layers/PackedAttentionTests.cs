using HwGen.Generator.Isa;
using HwGen.Software.Golden;
using HwGen.Software.Layers;
using HwGen.Tests.Software;
using Xunit.Abstractions;

namespace HwGen.Tests.Layers;

/// <summary>
/// Attention of sequences packed back to back, lowered as head groups that share one Softmax normalize: the program on
/// the golden model equals the untiled integer reference bit for bit, with hazard-free tokens.
/// </summary>
public sealed class PackedAttentionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("default", 384, 12, false, false, 10, new[] { 12, 12, 14, 12, 10, 14, 13, 13, 11, 14 })]
    [InlineData("default", 128, 2, false, false, 4, new[] { 20, 17, 9, 30 })]
    [InlineData("default", 128, 2, true, true, 6, new[] { 12, 7, 20 })]
    [InlineData("default", 256, 4, false, true, 28, new[] { 70, 10, 5 })] // longer than 64: head by head (70 tokens: 5 query tiles of 16 a head)
    [InlineData("small", 128, 2, false, false, 6, new[] { 12, 7, 20 })] // too small a scratchpad: head by head
    public void A_packed_layer_on_the_golden_model_equals_the_integer_reference_bit_for_bit(string config, int hidden, int heads, bool causal, bool preLn,
        int softmaxNormalizes, int[] lengths)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var spec = new LayerSpec("packed", hidden, heads, 4 * hidden, lengths.Sum(), causal, preLn).Pack(lengths);
        var q = QuantizedLayer.Create(spec, seed: (ulong)lengths.Sum());
        var expected = IntLayerReference.Run(q);

        // Act
        var program = LayerCompiler.Compile(d, q);
        var tokens = TokenChecker.Check(d, program.Instructions);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        var normalizes = program.Instructions.Count(i => i.Opcode == Opcode.Normalize && i["func"] == (long)NormalizeFunc.Softmax);
        output.WriteLine($"{config} {spec}: {program.Instructions.Count} instructions, {normalizes} Softmax normalizes");
        Assert.True(tokens.Ok, string.Join("\n", tokens.Errors));
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(softmaxNormalizes, normalizes);
        foreach (var (name, values) in expected.Tensors())
        {
            var actual = program.Tensors.Single(t => t.Name == name).Read(result.Dram);
            Assert.True(values.SequenceEqual(actual), $"{name} differs from the integer reference");
        }
    }
}
