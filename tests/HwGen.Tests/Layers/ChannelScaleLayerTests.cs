using HwGen.Generator.Isa;
using HwGen.Software.Golden;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;
using Xunit.Abstractions;

namespace HwGen.Tests.Layers;

/// <summary>
/// int4 layers with a scale per output channel (<c>wbits=4</c>, <c>chscale</c> 1 by default; <see cref="ChannelScales"/>):
/// Q, K and V stores with column multipliers, FFN1's GELU with per-column input rescales and, post-LN, both LayerNorms in
/// column mode; exact on the golden model, and closer to the float layer than one scale per tensor.
/// </summary>
public sealed class ChannelScaleLayerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("small", "bert-tiny:seq=40,wbits=4", true)]
    [InlineData("default", "gpt2-small:seq=24,heads=2,ffn=256,wbits=4", false)]
    public void A_per_channel_int4_layer_on_the_golden_model_equals_the_integer_reference(string config, string workload, bool postLn)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var spec = WorkloadSpec.Parse(workload);
        var q = LayerCompiler.Stack(spec)[0];
        var program = LayerCompiler.Compile(d, spec);
        var perTensor = LayerCompiler.Compile(d, WorkloadSpec.Parse(workload + ",chscale=0"));

        // Act
        var result = GoldenSimulator.Run(d, program);
        var expected = IntLayerReference.Run(q);

        // Assert: every tensor bit-exact; the stores and normalizes the channel scales need are there (and only with them)
        Assert.True(result.Ok, result.FaultDetail);
        Assert.NotNull(q.Channels);
        Assert.Equal(postLn, q.Channels!.Norm1 is not null && q.Channels.Norm2 is not null);
        Assert.Equal(!postLn, q.Channels.Add1 is not null && q.Channels.Add2 is not null);
        foreach (var (name, values) in expected.Tensors())
        {
            Assert.True(values.SequenceEqual(program.Tensors.Single(t => t.Name == name).Read(result.Dram)), $"{name} differs from the integer reference");
        }

        static (int ColStores, int GeluCol, bool LnColumns, int ColumnAdds) Count(HwGen.Software.Programs.CompiledProgram p)
        {
            var views = p.Instructions.Select(i => new InstructionView(i)).ToList();
            // An add normalize runs in column mode when the last ln_in_shift before it is not 0.
            var (inShift, columnAdds) = (0UL, 0);
            foreach (var v in views)
            {
                inShift = v is { Opcode: Opcode.ConfigPost, Reg: PostRegister.LnInShift } ? v.Value : inShift;
                columnAdds += v is { Opcode: Opcode.Normalize, NormalizeFunc: NormalizeFunc.Add } && inShift != 0 ? 1 : 0;
            }

            return (views.Count(v => v is { Opcode: Opcode.Store, ColMult: true }),
                views.Count(v => v is { Opcode: Opcode.Store, StoreFunc: StoreFunc.GeluColumn }),
                views.Any(v => v is { Opcode: Opcode.ConfigPost, Reg: PostRegister.LnInShift } && v.Value != 0), columnAdds);
        }

        var (colStores, geluCol, lnColumns, columnAdds) = Count(program);
        Assert.True(colStores >= 3 * ((spec.Get("seq") + d.Rows - 1) / d.Rows), $"{colStores} column stores");
        Assert.True(geluCol > 0);
        Assert.True(lnColumns);
        Assert.Equal(postLn, columnAdds == 0);
        Assert.Equal((0, 0, false, 0), Count(perTensor));
        Assert.Contains(",chscale=0", perTensor.Workload, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bert-tiny")]
    [InlineData("gpt2-small")]
    public void Per_channel_int4_scales_bring_a_layer_closer_to_the_float_layer_than_one_clipped_scale_per_tensor(string preset)
    {
        // Arrange
        var spec = LayerSpec.Preset(preset, 32);

        // Act
        var perTensor = WeightRounding.Measure(spec, 1, 4);
        var perChannel = WeightRounding.Measure(spec, 1, 4, channelScales: true);
        var int8 = WeightRounding.Measure(spec, 1, 8);

        // Assert
        output.WriteLine($"{preset}: int8 {int8}, int4 per tensor {perTensor}, int4 per channel {perChannel}");
        Assert.True(perChannel.Cosine > perTensor.Cosine, $"{perChannel} vs {perTensor}");
        Assert.True(perChannel.MaxAbsLsb <= perTensor.MaxAbsLsb, $"{perChannel} vs {perTensor}");
        Assert.True(perChannel.Cosine < int8.Cosine + 1e-3, $"{perChannel} vs int8 {int8}");
    }

    [Fact]
    public void Per_channel_layers_on_a_design_without_column_multipliers_are_refused_naming_the_key()
    {
        // Arrange
        var yaml = File.ReadAllText(Path.Combine(TestConfigs.RepoRoot, "configs", "small.yaml")) + "requant:\n  per_column: false\n";
        var d = HwGen.Generator.Design.DesignResolver.LoadText(yaml);

        // Act
        var error = Assert.Throws<ArgumentException>(() => LayerCompiler.Compile(d, WorkloadSpec.Parse("bert-tiny:seq=16,wbits=4")));

        // Assert
        Assert.Contains("requant.per_column", error.Message, StringComparison.Ordinal);
        Assert.True(GoldenSimulator.Run(d, LayerCompiler.Compile(d, WorkloadSpec.Parse("bert-tiny:seq=16,wbits=4,chscale=0"))).Ok);
    }
}
