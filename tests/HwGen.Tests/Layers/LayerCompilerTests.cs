using HwGen.Software.Golden;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;
using Xunit.Abstractions;

namespace HwGen.Tests.Layers;

/// <summary>Whole Transformer layers: presets, the integer reference against float, and the compiled program on the golden model.</summary>
public sealed class LayerCompilerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("bert-tiny", 128, 2, 512, 128, false, false)]
    [InlineData("bert-mini", 256, 4, 1024, 128, false, false)]
    [InlineData("bert-base", 768, 12, 3072, 128, false, false)]
    [InlineData("bert-large", 1024, 16, 4096, 128, false, false)]
    [InlineData("gpt2-small", 768, 12, 3072, 128, true, true)]
    [InlineData("gpt2-medium", 1024, 16, 4096, 128, true, true)]
    [InlineData("vit-b16", 768, 12, 3072, 197, false, false)]
    public void Presets_have_the_dimensions_of_the_design_brief(string name, int hidden, int heads, int ffn, int seq, bool causal, bool preLn)
    {
        // Act
        var spec = LayerSpec.Preset(name);

        // Assert
        Assert.Equal(new LayerSpec(name, hidden, heads, ffn, seq, causal, preLn), spec);
        Assert.Equal(0, spec.Hidden % spec.Heads);
    }

    [Fact]
    public void An_unknown_preset_is_a_clear_error()
    {
        // Act
        var e = Assert.Throws<ArgumentException>(() => LayerSpec.Preset("bert-huge"));

        // Assert
        Assert.Contains("bert-tiny", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bert-tiny", 64)]
    [InlineData("bert-mini", 128)]
    [InlineData("bert-base", 128)]
    [InlineData("vit-b16", 197)]
    [InlineData("gpt2-small", 64)]
    public void The_integer_layer_tracks_the_float_layer_of_its_dequantized_weights(string preset, int seq)
    {
        // Arrange
        var q = QuantizedLayer.Create(LayerSpec.Preset(preset, seq), seed: 1);

        // Act
        var ints = IntLayerReference.Run(q);
        var floats = FloatLayer.Forward(q.Spec, q.Dequantized);
        var x1 = LayerAccuracy.Measure(ints.X1, q.ScaleX1, floats.X1);
        var y = LayerAccuracy.Measure(ints.Y, q.ScaleY, floats.Y);

        // Assert
        output.WriteLine($"O:  {LayerAccuracy.Measure(ints.O, q.ScaleO, floats.O)}");
        output.WriteLine($"H:  {LayerAccuracy.Measure(ints.H, q.ScaleH, floats.H)}");
        output.WriteLine($"X1: {x1}");
        output.WriteLine($"Y:  {y}");
        Assert.InRange(x1.Cosine, 0.99, 1.0);
        Assert.InRange(y.Cosine, 0.98, 1.0);
    }

    [Theory]
    [InlineData("small", "bert-tiny", 64, false)]
    [InlineData("small", "bert-tiny", 17, false)]
    [InlineData("small", "bert-tiny", 40, true)]
    [InlineData("tiny", "bert-tiny", 21, false)]
    [InlineData("default", "bert-tiny", 64, true)]
    [InlineData("default", "bert-mini", 33, false)]
    [InlineData("default", "bert-base", 128, false)]
    [InlineData("small", "bert-tiny", 64, true, true)]
    [InlineData("tiny", "bert-tiny", 12, true, true)]
    [InlineData("default", "gpt2-small", 64, true, true)]
    [InlineData("default", "bert-mini", 40, true, true)]
    public void A_compiled_layer_on_the_golden_model_equals_the_integer_reference_bit_for_bit(string config, string preset, int seq, bool causal, bool preLn = false)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var q = QuantizedLayer.Create(LayerSpec.Preset(preset, seq) with { Causal = causal, PreLayerNorm = preLn }, seed: (ulong)seq);
        var expected = IntLayerReference.Run(q);
        var program = LayerCompiler.Compile(d, q);

        // Act
        var tokens = TokenChecker.Check(d, program.Instructions);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        output.WriteLine($"{program.Instructions.Count} instructions, {program.Dram.Length} bytes of DRAM, {program.Meta["phases"]} phases");
        Assert.True(tokens.Ok, string.Join("\n", tokens.Errors));
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(preLn ? 10 : 8, expected.Tensors().Count());
        foreach (var (name, values) in expected.Tensors())
        {
            var actual = program.Tensors.Single(t => t.Name == name).Read(result.Dram);
            Assert.True(values.SequenceEqual(actual), $"{name} differs from the integer reference at {FirstDifference(values, actual)}");
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void Random_layers_on_random_configs_match_the_integer_reference_with_deadlock_free_tokens(int seed)
    {
        // Arrange: random shapes exercise the scheduler's hazards (ragged tiles, odd sequence lengths, both layouts).
        var rng = new Random(seed);
        var config = new[] { "tiny", "small", "default" }[rng.Next(3)];
        var d = TestConfigs.Load(config);
        var spec = LayerSpec.Preset("bert-tiny", rng.Next(1, 41)) with { Causal = rng.Next(2) == 1, PreLayerNorm = rng.Next(2) == 1 };
        var stack = QuantizedLayer.CreateStack(spec, (ulong)seed, rng.Next(1, 3));

        // Act
        var program = LayerCompiler.CompileLayers(d, stack).Program;
        var tokens = TokenChecker.Check(d, program.Instructions);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        output.WriteLine($"{config} {spec} x{stack.Count}: {program.Instructions.Count} instructions");
        Assert.True(tokens.Ok, string.Join("\n", tokens.Errors));
        Assert.True(result.Ok, result.FaultDetail);
        for (var i = 0; i < stack.Count; i++)
        {
            var prefix = stack.Count == 1 ? string.Empty : $"L{i}.";
            foreach (var (name, values) in IntLayerReference.Run(stack[i]).Tensors())
            {
                var actual = program.Tensors.Single(t => t.Name == prefix + name).Read(result.Dram);
                Assert.True(values.SequenceEqual(actual), $"{prefix}{name} differs at {FirstDifference(values, actual)}");
            }
        }
    }

    [Fact]
    public void A_stack_on_the_golden_model_equals_the_integer_reference_of_every_layer()
    {
        // Arrange
        var d = TestConfigs.Load("small");
        var stack = QuantizedLayer.CreateStack(LayerSpec.Preset("bert-tiny", 16), seed: 5, layers: 3);

        // Act
        var program = LayerCompiler.CompileLayers(d, stack).Program;
        var tokens = TokenChecker.Check(d, program.Instructions);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        Assert.True(tokens.Ok, string.Join("\n", tokens.Errors));
        Assert.True(result.Ok, result.FaultDetail);
        Assert.DoesNotContain(program.Tensors, t => t.Name == "L1.X");
        for (var i = 0; i < stack.Count; i++)
        {
            var expected = IntLayerReference.Run(stack[i]);
            if (i + 1 < stack.Count)
            {
                Assert.Equal(expected.Y, stack[i + 1].X);
                Assert.Equal(stack[i].ScaleY, stack[i + 1].ScaleX);
            }

            foreach (var (name, values) in expected.Tensors())
            {
                var actual = program.Tensors.Single(t => t.Name == $"L{i}.{name}").Read(result.Dram);
                Assert.True(values.SequenceEqual(actual), $"L{i}.{name} differs from the integer reference at {FirstDifference(values, actual)}");
            }
        }
    }

    [Fact]
    public void A_layer_too_wide_for_the_accumulator_is_a_clear_error_that_shows_the_arithmetic()
    {
        // Act: gpt2-small's 768-wide rows on small (512 accumulator rows of 8 int32).
        var e = Assert.Throws<ArgumentException>(() => LayerCompiler.Compile(TestConfigs.Load("small"), WorkloadSpec.Parse("gpt2-small:seq=8")));

        // Assert
        Assert.Contains("192 accumulator rows per token (output and residual)", e.Message, StringComparison.Ordinal);
        Assert.Contains("design 'small' has 127 of its 512 accumulator rows left", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bert-tiny:seq=8,layers=0", 0)]
    [InlineData("bert-tiny:seq=8,layers=49", 49)]
    public void A_layer_count_out_of_range_is_a_clear_error(string workload, int layers)
    {
        // Arrange: the same count without the parser's range check, as a graph producer might pass it.
        var unparsed = new WorkloadSpec("bert-tiny", WorkloadSpec.Parse("bert-tiny:seq=8").Parameters.SetItem("layers", layers));

        // Act
        var parse = Assert.Throws<FormatException>(() => WorkloadSpec.Parse(workload));
        var compile = Assert.Throws<ArgumentException>(() => LayerCompiler.Compile(TestConfigs.Load("small"), unparsed));

        // Assert
        Assert.Equal($"workload '{workload}': layers={layers} is out of range 1..{LayerCompiler.MaxLayers}", parse.Message);
        Assert.StartsWith($"workload '{unparsed}': layers={layers} is not in 1..{LayerCompiler.MaxLayers}", compile.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_layer_workload_spec_compiles_the_named_preset_with_its_sequence_and_mask()
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var spec = WorkloadSpec.Parse("bert-tiny:seq=24,causal=1,seed=3");

        // Act
        var program = LayerCompiler.Compile(d, spec);

        // Assert
        Assert.Equal("layer:bert-tiny,seq=24,seed=3", program.Workload);
        Assert.Contains("causal", (string)program.Meta["layer"], StringComparison.Ordinal);
        Assert.Equal(24, program.Tensors.Single(t => t.Name == "Y").Rows);
    }

    [Fact]
    public void A_pre_layernorm_layer_normalizes_before_each_block_and_adds_the_residual_after_it()
    {
        // Arrange
        var d = TestConfigs.Load("default");

        // Act
        var layer = LayerCompiler.CompileLayer(d, QuantizedLayer.Create(LayerSpec.Preset("gpt2-small", 8), seed: 1));

        // Assert
        var names = layer.Ops.Select(o => o.Name).Where(n => !n.StartsWith("head", StringComparison.Ordinal)).ToList();
        Assert.Equal(["ln1", "q_proj", "k_proj", "v_proj", "out_proj_add1", "ln2", "ffn1_gelu", "ffn2_add2"], names);
        Assert.Contains(layer.Program.Tensors, t => t.Name == "A1");
        Assert.Contains(layer.Program.Instructions, i => i.Opcode == HwGen.Generator.Isa.Opcode.Normalize && i["func"] == 2);
    }

    [Theory]
    [InlineData("bert-mini", 64, 2)]
    [InlineData("bert-base", 64, 4)]
    public void A_layernorm_gemm_loads_each_weight_block_once_per_m_tile_of_one_or_two_array_heights(string preset, int seq, int tiles)
    {
        // Arrange: on default, hidden 256 leaves room for two 16-token subtiles per m-tile, hidden 768 for one.
        var d = TestConfigs.Load("default");
        var q = QuantizedLayer.Create(LayerSpec.Preset(preset, seq), seed: 5);

        // Act
        var program = LayerCompiler.Compile(d, q);

        // Assert: FFN2's B blocks (its K rows deep, the only loads that deep) once per block and m-tile.
        var blocks = q.Spec.Hidden / d.Cols;
        var bLoads = program.Instructions.Count(i => i.Opcode == HwGen.Generator.Isa.Opcode.Load && i["rows"] == (ulong)q.Spec.Ffn && i["target"] == (ulong)HwGen.Generator.Isa.LoadTarget.Scratchpad);
        Assert.Equal(tiles * blocks, bLoads);
    }

    [Fact]
    public void The_operations_of_a_compiled_layer_cover_the_program_in_order_and_account_for_every_mac()
    {
        // Arrange
        var d = TestConfigs.Load("small");
        var q = QuantizedLayer.Create(LayerSpec.Preset("bert-tiny", seq: 32), seed: 2);

        // Act
        var layer = LayerCompiler.CompileLayer(d, q);
        var modelled = layer.ModelledCycles(d);

        // Assert
        Assert.Equal(3 + (2 * q.Spec.Heads) + 3, layer.Ops.Count);
        Assert.Equal(0, layer.Ops[0].Start);
        Assert.Equal(layer.Program.Instructions.Count, layer.Ops[^1].End);
        Assert.All(layer.Ops.Zip(layer.Ops.Skip(1)), p => Assert.Equal(p.First.End, p.Second.Start));
        Assert.All(layer.Ops, op => Assert.True(op.End > op.Start, op.Name));
        Assert.Equal(q.Spec.Macs, layer.Ops.Sum(op => op.Macs));
        foreach (var (op, cycles) in modelled)
        {
            output.WriteLine($"{op.Name,-18} {op.End - op.Start,6} instructions {cycles,9} modelled cycles");
            Assert.True(cycles > 0, op.Name);
        }
    }

    private static int FirstDifference(long[] expected, long[] actual)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                return i;
            }
        }

        return -1;
    }
}
