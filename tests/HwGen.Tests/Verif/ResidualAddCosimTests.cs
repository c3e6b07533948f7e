using HwGen.Software.Compiler;
using HwGen.Software.Workloads;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>The residual add (normalize func=add, pre-LN Transformers) on the RTL against the golden model, bit for bit.</summary>
[Collection(CosimGroup.Name)]
public sealed class ResidualAddCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private readonly RowUnitCosim cosim = new(fixture, output);

    /// <summary>Configurations × widths 1, 5, 16, 17, 768, 3072, with and without the residual (few rows when wide).</summary>
    public static TheoryData<string, int, int, bool> Widths()
    {
        var data = new TheoryData<string, int, int, bool>();
        foreach (var config in RowUnitCosim.Configs)
        {
            foreach (var (cols, rows, residual) in new[] { (1, 5, true), (5, 7, false), (16, 9, true), (17, 6, true), (768, 3, true), (768, 2, false), (3072, 2, true) })
            {
                // tiny's 256-row accumulator cannot hold x and the residual of a 768-wide row (192 blocks each), small's
                // 512 rows not those of a 3072-wide one.
                if ((config != "tiny" || cols < 768 || !residual) && (config != "small" || cols < 3072) && (config != "tiny" || cols < 3072))
                {
                    data.Add(config, rows, cols, residual);
                }
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Widths))]
    public async Task Residual_add_rows_of_any_width_match_the_golden_model_bit_for_bit(string config, int rows, int cols, bool residual)
    {
        // Arrange, Act and Assert: bit-exact, and within the output rounding (0.5 LSB) plus the alignment's rounding
        await cosim.RunBitExactAsync(config, d => RowOpCompiler.Compile(d, ResidualAddWorkload.Create(rows, cols, residual, seed: 21)), "resadd", 0.6);
    }

    [SkippableTheory]
    [InlineData("tiny", 1212)]
    [InlineData("small", 1313)]
    [InlineData("default", 1414)]
    public async Task Seeded_random_residual_add_shapes_match_the_golden_model(string config, int seed)
    {
        // Arrange
        var rng = new SeededRandom((ulong)seed);
        var cols = 1 + rng.Next(config == "tiny" ? 120 : 400);
        var rows = 1 + rng.Next(30);
        var residual = rng.Next(4) != 0;

        // Act and Assert
        await cosim.RunBitExactAsync(config, d => RowOpCompiler.Compile(d, ResidualAddWorkload.Create(rows, cols, residual, (ulong)seed)),
            options: RowUnitCosim.Stressed((ulong)seed));
    }
}
