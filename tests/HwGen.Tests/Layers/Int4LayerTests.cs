using HwGen.Generator.Design;
using HwGen.Software.Decode;
using HwGen.Software.Golden;
using HwGen.Software.Layers;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;
using Xunit.Abstractions;

namespace HwGen.Tests.Layers;

/// <summary>int4 weights (<c>wbits=4</c>) in layer presets and decode steps: packed in DRAM, exact on the golden model.</summary>
public sealed class Int4LayerTests(ITestOutputHelper output)
{
    private static readonly string[] WeightNames = ["Wq", "Wk", "Wv", "Wo", "W1", "W2"];

    [Theory]
    [InlineData("bert-tiny:seq=40,wbits=4")]
    [InlineData("gpt2-small:seq=24,heads=2,ffn=256,wbits=4")]
    public void A_layer_with_int4_weights_on_the_golden_model_equals_the_integer_reference_with_half_the_weight_bytes(string workload)
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var spec = WorkloadSpec.Parse(workload);
        var q = LayerCompiler.Stack(spec)[0];
        var int8 = LayerCompiler.Stack(WorkloadSpec.Parse(workload.Replace(",wbits=4", string.Empty, StringComparison.Ordinal)))[0];
        var program = LayerCompiler.Compile(d, spec);

        // Act
        var result = GoldenSimulator.Run(d, program);
        var expected = IntLayerReference.Run(q);

        // Assert: weights in -7..7, stored packed (half the bytes a row), and every tensor bit-exact.
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(4, q.WeightBits);
        Assert.All(new[] { q.Wq, q.Wk, q.Wv, q.Wo, q.W1, q.W2 }, w => Assert.InRange(w.Min(), (sbyte)-7, (sbyte)0));
        Assert.All(new[] { q.Wq, q.Wk, q.Wv, q.Wo, q.W1, q.W2 }, w => Assert.Equal((sbyte)7, w.Max(v => (sbyte)Math.Abs(v))));
        Assert.Contains(",wbits=4", program.Workload, StringComparison.Ordinal);
        foreach (var name in WeightNames)
        {
            var t = program.Tensors.Single(r => r.Name == name);
            Assert.Equal(ElementType.Int4, t.Dtype);
            Assert.Equal((t.Cols + 1) / 2, t.RowBytes(t.Cols));
        }

        foreach (var (name, values) in expected.Tensors())
        {
            Assert.True(values.SequenceEqual(program.Tensors.Single(t => t.Name == name).Read(result.Dram)), $"{name} differs from the integer reference");
        }

        Assert.NotEqual(int8.W1, q.W1);
    }

    [Fact]
    public void Int4_weights_cost_accuracy_against_the_unquantized_float_layer_but_keep_the_output_close()
    {
        // Arrange
        var spec = LayerSpec.Preset("bert-tiny", 64);

        // Act
        var int8 = WeightRounding.Measure(spec, 1, 8);
        var int4 = WeightRounding.Measure(spec, 1, 4);

        // Assert: rounding weights to 15 levels instead of 255 loses accuracy, but the layer output stays correlated.
        output.WriteLine($"int8 {int8}, int4 {int4}");
        Assert.True(int4.Cosine < int8.Cosine, $"{int4} vs {int8}");
        Assert.InRange(int4.Cosine, 0.9, 1.0);
        Assert.InRange(int8.Cosine, 0.99, 1.0);
    }

    [Fact]
    public void A_decode_with_int4_weights_stores_them_blocked_with_block_rows_of_half_a_row_of_bytes_back_to_back()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var m = DecodeModel.Create(WorkloadSpec.Parse("gpt2-small:prompt=5,generate=1,layers=1,vocab=96,wbits=4"));

        // Act
        var step = DecodeCompiler.Step(d, m, 0).Program;

        // Assert: blocks of K rows with no gap between rows, so one block is one contiguous run: on default
        // (array.int4_pairs) two column blocks wide, COLS bytes a row (compute int4_pairs takes a row whole), elsewhere one
        // block, COLS/2 bytes; the LM head (the tied embedding) stays int8.
        var unpairedDesign = DesignResolver.LoadText(File.ReadAllText(RepoPaths.Config("default")).Replace("int4_pairs: true", "int4_pairs: false", StringComparison.Ordinal));
        Assert.True(d.Int4Pairs);
        Assert.False(unpairedDesign.Int4Pairs);
        foreach (var name in WeightNames)
        {
            var t = DecodeHost.Region(step, "L0." + name);
            Assert.Equal(ElementType.Int4, t.Dtype);
            Assert.Equal((2 * d.Cols, (long)d.Cols), (t.Cols, t.StrideBytes));
            var unpaired = DecodeHost.Region(DecodeCompiler.Step(unpairedDesign, m, 0).Program, "L0." + name);
            Assert.Equal((unpairedDesign.Cols, unpairedDesign.Cols / 2L), (unpaired.Cols, unpaired.StrideBytes));
        }

        Assert.Equal(ElementType.Int8, DecodeHost.Region(step, "Wlm").Dtype);
    }
}
