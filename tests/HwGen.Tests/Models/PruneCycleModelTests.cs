using System.Collections.Immutable;
using HwGen.Models;
using HwGen.Software.Layers;

namespace HwGen.Tests.Models;

/// <summary>The cycle costs of the mask search, from the performance model (docs/pruning.md, "The cycle budget").</summary>
public sealed class PruneCycleModelTests(EncoderLoweringTests.Fixture fixture) : IClassFixture<EncoderLoweringTests.Fixture>
{
    [Fact]
    public void The_cycle_tables_of_a_small_encoder_add_up_to_its_modelled_cycles_and_price_a_partial_tile_as_a_full_one()
    {
        // Arrange: MiniLM's first two layers cut to 3 heads and 40 filters (two full array tiles and a partial one).
        var full = fixture.Session.Model;
        var two = full with { Layers = full.Layers.Take(2).ToImmutableArray() };
        var keep = new PruneMasks.Entry(Enumerable.Range(0, 3).ToArray(), Enumerable.Range(0, 40).ToArray());
        var model = new PruneMasks([keep, keep]).Apply(two, "small");
        var sample = fixture.Calibration.Take(3).ToList();
        var d = fixture.Design;

        // Act
        var costs = PruneCycleModel.Measure(d, model, sample, 128, ColumnOptions.Recommended);
        var pass = new AcceleratorPass(d, new EncoderLowering(model, sample.Take(2).ToList(), ColumnOptions.Recommended));
        var direct = EncoderLowering.Batches(sample, 128).Sum(b => pass.ModelledCycles(pass.Compile(b.Select(i => sample[i]).ToList())));

        // Assert
        Assert.Equal("cycles", costs.Unit);
        Assert.Equal(d.Cols, costs.FilterBlock);
        Assert.All(costs.Heads, t => Assert.Equal(4, t.Length));
        Assert.All(costs.Filters, t => Assert.Equal(41, t.Length));
        Assert.All(costs.Heads.Concat(costs.Filters), t => Assert.True(t.Zip(t.Skip(1)).All(p => p.First <= p.Second), "a table decreases"));
        Assert.True(costs.Heads[0][1] < costs.Heads[0][3], "one head costs as much as three");
        Assert.True(costs.Filters[0][16] < costs.Filters[0][32] && costs.Filters[0][32] < costs.Filters[0][40], "more tiles do not cost more");
        Assert.All(Enumerable.Range(33, 8), f => Assert.Equal(costs.Filters[0][40], costs.Filters[0][f]));
        Assert.All(Enumerable.Range(17, 16), f => Assert.Equal(costs.Filters[0][32], costs.Filters[0][f]));
        Assert.InRange(costs.Full / direct, 0.98, 1.02);
    }

    [Fact]
    public void The_grid_is_every_multiple_of_the_array_columns_and_the_width()
    {
        Assert.Equal([16, 32, 40], PruneCycleModel.Grid(40, 16));
        Assert.Equal([16, 32], PruneCycleModel.Grid(32, 16));
        Assert.Equal([5], PruneCycleModel.Grid(5, 16));
    }
}
