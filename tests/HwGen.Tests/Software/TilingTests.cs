using HwGen.Generator.Design;
using HwGen.Software.Compiler;

namespace HwGen.Tests.Software;

/// <summary>The one tiler (<see cref="TilingSearch"/>) and the steps the one GEMM kernel walks (<see cref="GemmKernel"/>).</summary>
public sealed class TilingTests
{
    public static TheoryData<string, int, int, int, int, int, int> StepCases => new()
    {
        { "default", 512, 512, 512, 256, 4, 16 },
        { "small", 100, 77, 45, 33, 2, 16 },
        { "tiny", 7, 130, 300, 4, 3, 64 },
        { "default", 64, 768, 3072, 64, 12, 384 },
    };

    [Theory]
    [MemberData(nameof(StepCases))]
    public void Gemm_steps_cover_every_output_block_and_reduction_element_exactly_once(string config, int m, int n, int k, int tileM, int blocksN, int chunkK)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var blocks = (n + d.Cols - 1) / d.Cols;
        var covered = new int[m, blocks, k];

        // Act
        var steps = GemmKernel.Steps(d, new GemmTiling(Dataflow.Ws, tileM, blocksN, chunkK), m, n, k).ToList();
        foreach (var s in steps)
        {
            for (var r = s.M0; r < s.M0 + s.Mt; r++)
            {
                for (var b = s.G0; b < s.G0 + s.Blocks; b++)
                {
                    for (var e = s.K0; e < s.K0 + s.Kl; e++)
                    {
                        covered[r, b, e]++;
                    }
                }
            }
        }

        // Assert
        Assert.All(covered.Cast<int>(), c => Assert.Equal(1, c));
        Assert.Equal(Enumerable.Range(0, steps.Count), steps.Select(s => s.Index));
        Assert.All(steps.Zip(steps.Skip(1)), p => Assert.True(p.Second.Tile == p.First.Tile + (p.Second.FirstK ? 1 : 0), $"step {p.Second.Index}"));
    }

    [Theory]
    [InlineData(GemmEpilogue.Softmax)]
    [InlineData(GemmEpilogue.LayerNorm)]
    [InlineData(GemmEpilogue.ResidualAdd)]
    public void A_phased_gemm_with_a_whole_row_epilogue_takes_every_column_block_and_fits_its_window(GemmEpilogue epilogue)
    {
        // Arrange
        var d = TestConfigs.Load("default");
        var plan = MemoryPlan.For(d, 768 / d.Cols);
        var span = plan.BufferTop / 2;

        // Act
        var (t, buffers, rowsPerM) = TilingSearch.Phased(d, plan, 128, 768, 768, epilogue, span, bias: epilogue != GemmEpilogue.Softmax);

        // Assert
        Assert.Equal(768 / d.Cols, t.BlocksN);
        Assert.Equal(epilogue == GemmEpilogue.Softmax ? t.BlocksN : 2 * t.BlocksN, rowsPerM);
        Assert.True(buffers * t.TileM * rowsPerM <= span, $"{t} × {buffers} buffers");
        Assert.Equal(0, t.ChunkK % d.Rows);
    }

    [Fact]
    public void A_phased_gemm_whose_row_does_not_fit_the_accumulator_names_the_rows_it_needs()
    {
        // Arrange
        var d = TestConfigs.Load("tiny");
        var blocks = 4 * d.AccDepth / d.Cols;
        var plan = MemoryPlan.For(d, 1);

        // Act
        var e = Assert.Throws<ArgumentException>(() => TilingSearch.Phased(d, plan, 16, blocks * d.Cols, 64, GemmEpilogue.Softmax, plan.BufferTop, bias: false));

        // Assert
        Assert.Contains($"needs {blocks} accumulator rows per token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_memory_plan_stacks_relay_gamma_beta_and_bias_areas_above_the_output_buffers()
    {
        // Arrange
        var d = TestConfigs.Load("small");

        // Act
        var plan = MemoryPlan.For(d, 3);

        // Assert
        Assert.Equal(d.AccDepth - 1, plan.Relay);
        Assert.Equal(plan.Relay - 6, plan.GammaBetaRow);
        Assert.Equal(plan.GammaBetaRow - 3, plan.BiasRow(0));
        Assert.Equal(plan.GammaBetaRow - 6, plan.BiasRow(1));
        Assert.Equal(plan.BiasRow(1), plan.BufferTop);
        Assert.Equal((0, plan.BufferTop / 2), plan.LowerWindow);
        Assert.Equal((plan.BufferTop / 2, plan.BufferTop), plan.UpperWindow);
        Assert.Equal(d.AccDepth - 1, MemoryPlan.For(d).GammaBetaRow);
    }
}
