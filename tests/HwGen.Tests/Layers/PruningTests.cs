using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Layers;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;
using Xunit.Abstractions;

namespace HwGen.Tests.Layers;

/// <summary>Structured pruning of synthetic layers: the gathering of weights, the masks' checks and pruned stacks on the golden model.</summary>
public sealed class PruningTests(ITestOutputHelper output)
{
    [Fact]
    public void Gathering_keeps_the_columns_and_rows_of_the_kept_heads_and_filters()
    {
        // Arrange: bert-mini has 4 heads of 64; keep heads 1 and 3 and filters 5, 7, 900.
        var spec = LayerSpec.Preset("bert-mini", 4);
        var w = LayerWeights.Create(spec, 3);
        var mask = new LayerMask([1, 3], [5, 7, 900]);

        // Act
        var (pruned, p) = LayerPruning.Apply(spec, w, mask);

        // Assert
        Assert.Equal((2, 3, 64, 128), (pruned.Heads, pruned.Ffn, pruned.HeadDim, pruned.AttentionWidth));
        Assert.Equal((4, 1024), pruned.Unpruned);
        int h = spec.Hidden;
        Assert.Equal(h * 128, p.Wq.Length);
        Assert.Equal(w.Wq[(10 * h) + 64 + 5], p.Wq[(10 * 128) + 5]);          // row 10, head 1 column 5
        Assert.Equal(w.Wk[(7 * h) + 192 + 63], p.Wk[(7 * 128) + 64 + 63]);    // row 7, head 3 column 63
        Assert.Equal(w.Bv[192], p.Bv[64]);
        Assert.Equal(w.Wo.AsSpan((64 + 2) * h, h).ToArray(), p.Wo.AsSpan(2 * h, h).ToArray());   // head 1's row 2
        Assert.Equal(w.Wo.AsSpan((192 + 9) * h, h).ToArray(), p.Wo.AsSpan((64 + 9) * h, h).ToArray());
        Assert.Equal(w.W1[(11 * 1024) + 900], p.W1[(11 * 3) + 2]);
        Assert.Equal(w.B1[7], p.B1[1]);
        Assert.Equal(w.W2.AsSpan(900 * h, h).ToArray(), p.W2.AsSpan(2 * h, h).ToArray());
        Assert.Same(w.Bo, p.Bo);
        Assert.Same(w.Input, p.Input);
        Assert.Equal(spec.Macs - (4L * 4 * h * 128) - (2L * 16 * 128) - (2L * 4 * h * 1021), pruned.Macs);
    }

    [Fact]
    public void A_pruned_float_layer_equals_the_unpruned_one_with_the_pruned_heads_and_filters_zeroed()
    {
        // Arrange: zeroing a head's Wo rows removes its contribution; zeroing a filter's W2 row removes the filter.
        var spec = LayerSpec.Preset("bert-tiny", 12);
        var w = LayerWeights.Create(spec, 9);
        var mask = new LayerMask([1], [0, 3, 100, 511]);
        var zeroed = w with { Wo = (double[])w.Wo.Clone(), W2 = (double[])w.W2.Clone() };
        Array.Clear(zeroed.Wo, 0, 64 * spec.Hidden);
        for (var f = 0; f < spec.Ffn; f++)
        {
            if (!mask.Filters.Contains(f))
            {
                Array.Clear(zeroed.W2, f * spec.Hidden, spec.Hidden);
            }
        }

        // Act
        var (pruned, p) = LayerPruning.Apply(spec, w, mask);
        var expected = FloatLayer.Forward(spec, zeroed);
        var actual = FloatLayer.Forward(pruned, p);

        // Assert
        Assert.Equal(expected.Y.Length, actual.Y.Length);
        Assert.All(expected.Y.Zip(actual.Y), e => Assert.Equal(e.First, e.Second, 1e-9));
        Assert.Equal(12 * 64, actual.Q.Length);
    }

    [Theory]
    [InlineData(new[] { 0, 2 }, new[] { 1 }, "bert-tiny: head 2 is out of range 0..1")]
    [InlineData(new[] { -1 }, new[] { 1 }, "bert-tiny: head -1 is out of range 0..1")]
    [InlineData(new[] { 1, 0 }, new[] { 1 }, "bert-tiny: heads must be listed ascending without repeats (1 then 0)")]
    [InlineData(new[] { 0 }, new[] { 4, 4 }, "bert-tiny: filters must be listed ascending without repeats (4 then 4)")]
    [InlineData(new[] { 0 }, new[] { 512 }, "bert-tiny: filter 512 is out of range 0..511")]
    [InlineData(new int[0], new[] { 1 }, "bert-tiny: keeps no heads; a layer needs at least one head")]
    [InlineData(new[] { 0 }, new int[0], "bert-tiny: keeps no filters; a layer needs at least one filter")]
    public void A_bad_mask_is_a_one_line_error_naming_the_layer_and_the_index(int[] heads, int[] filters, string message)
    {
        // Arrange
        var spec = LayerSpec.Preset("bert-tiny", 4);

        // Act
        var e = Assert.Throws<ArgumentException>(() => LayerPruning.Apply(spec, LayerWeights.Create(spec, 1), new LayerMask(heads, filters)));

        // Assert
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_workload_gives_heads_and_filters_for_every_layer_or_one_per_layer()
    {
        // Act
        var spec = WorkloadSpec.Parse("bert-tiny:seq=8,layers=3,heads=1/2/1,ffn=384");
        var masks = LayerCompiler.Masks(spec, LayerSpec.Preset("bert-tiny"))!;

        // Assert
        Assert.Equal("bert-tiny:seq=8,layers=3,heads=1/2/1,ffn=384", spec.ToString());
        Assert.Equal([1, 2, 1], masks.Select(m => m.Heads.Count));
        Assert.All(masks, m => Assert.Equal(Enumerable.Range(0, 384), m.Filters));
        Assert.Null(LayerCompiler.Masks(WorkloadSpec.Parse("bert-tiny:seq=8,layers=3"), LayerSpec.Preset("bert-tiny")));
    }

    [Theory]
    [InlineData("bert-tiny:layers=2,heads=1/2/1", "heads= has 3 values for layers=2; give one value for every layer or one per layer")]
    [InlineData("bert-tiny:heads=3", "heads=3 is more than the 2 heads of bert-tiny")]
    [InlineData("bert-tiny:layers=2,ffn=100/513", "ffn=513 is more than the 512 FFN filters of bert-tiny")]
    public void Bad_pruning_parameters_of_a_workload_are_clear_errors(string workload, string message)
    {
        // Act
        var e = Assert.Throws<ArgumentException>(() => LayerCompiler.Stack(WorkloadSpec.Parse(workload)));

        // Assert
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bert-tiny:heads=0", "heads=0 is out of range 1..1024")]
    [InlineData("bert-tiny:ffn=12/x", "'ffn=12/x' is not an integer or a list of integers separated by '/'")]
    public void Unparsable_pruning_parameters_are_format_errors(string workload, string message)
    {
        // Act
        var e = Assert.Throws<FormatException>(() => WorkloadSpec.Parse(workload));

        // Assert
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mask_that_keeps_everything_compiles_the_unpruned_program()
    {
        // Arrange
        var d = TestConfigs.Load("small");

        // Act
        var plain = WorkloadCompiler.Compile(d, WorkloadSpec.Parse("bert-tiny:seq=8,layers=2"));
        var kept = WorkloadCompiler.Compile(d, WorkloadSpec.Parse("bert-tiny:seq=8,layers=2,heads=2,ffn=512"));

        // Assert
        Assert.Equal(plain.Workload, kept.Workload);
        Assert.Equal(plain.Instructions.Count, kept.Instructions.Count);
        Assert.True(plain.Dram.SequenceEqual(kept.Dram));
    }

    [Theory]
    [InlineData("small", "bert-tiny:seq=24,layers=3,heads=1/2/1,ffn=384/512/200")]
    [InlineData("small", "bert-tiny:seq=17,layers=2,heads=1,ffn=100/300,causal=1")]
    [InlineData("tiny", "bert-tiny:seq=12,layers=2,heads=2/1,ffn=64/40")]
    [InlineData("default", "bert-mini:seq=20,layers=2,heads=3/1,ffn=700/256")]
    public void A_pruned_stack_on_the_golden_model_equals_the_integer_reference_of_every_layer(string config, string workload)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var spec = WorkloadSpec.Parse(workload);
        var stack = LayerCompiler.Stack(spec);

        // Act
        var program = LayerCompiler.CompileLayers(d, stack).Program;
        var tokens = TokenChecker.Check(d, program.Instructions);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        output.WriteLine($"{program.Workload}: {program.Instructions.Count} instructions, {program.Macs} MACs");
        Assert.True(tokens.Ok, string.Join("\n", tokens.Errors));
        Assert.True(result.Ok, result.FaultDetail);
        Assert.Equal(stack.Sum(l => l.Spec.Macs), program.Macs);
        Assert.Equal(stack.Select(l => l.Spec.AttentionWidth), stack.Select((_, i) => program.Tensors.Single(t => t.Name == $"L{i}.Q").Cols));
        Assert.Equal(stack.Select(l => l.Spec.Ffn), stack.Select((_, i) => program.Tensors.Single(t => t.Name == $"L{i}.H").Cols));
        for (var i = 0; i < stack.Count; i++)
        {
            foreach (var (name, values) in IntLayerReference.Run(stack[i]).Tensors())
            {
                var actual = program.Tensors.Single(t => t.Name == $"L{i}.{name}").Read(result.Dram);
                Assert.True(values.SequenceEqual(actual), $"L{i}.{name} differs from the integer reference");
            }
        }
    }
}
