using HwGen.Generator.Isa;
using HwGen.Generator.Design;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Software;

public sealed class GemmCompilerTests
{
    public static TheoryData<string, Dataflow, int, int, int> Shapes()
    {
        var data = new TheoryData<string, Dataflow, int, int, int>();
        foreach (var config in new[] { "tiny", "small", "default" })
        {
            foreach (var df in new[] { Dataflow.Ws, Dataflow.Os })
            {
                data.Add(config, df, 1, 1, 1);
                data.Add(config, df, 100, 77, 45);
                data.Add(config, df, 257, 33, 300);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Compiled_gemm_run_on_the_golden_simulator_matches_the_untiled_reference(string config, Dataflow dataflow, int m, int n, int k)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var w = GemmWorkload.Create(m, n, k, seed: 7);

        // Act
        var program = GemmCompiler.Compile(d, w, dataflow);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        AssertOutputMatches(w, program, result);
        Assert.Equal((long)m * n * k, program.Macs);
    }

    [Theory]
    [InlineData("tiny", Dataflow.Ws, 100, 77, 45)]
    [InlineData("tiny", Dataflow.Os, 100, 77, 45)]
    [InlineData("small", Dataflow.Ws, 64, 96, 80)]
    [InlineData("default", Dataflow.Ws, 40, 200, 70)]
    public void Int4_weight_gemms_load_b_packed_with_int4_loads_and_match_the_untiled_reference(string config, Dataflow dataflow, int m, int n, int k)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var w4 = GemmWorkload.Create(m, n, k, seed: 7, weightBits: 4);
        var w8 = w4 with { WeightBits = 8 };

        // Act
        var program = GemmCompiler.Compile(d, w4, dataflow);
        var result = GoldenSimulator.Run(d, program);
        var program8 = GemmCompiler.Compile(d, w8, dataflow);
        var result8 = GoldenSimulator.Run(d, program8);

        // Assert: the same products, B loads int4 and half its bytes (rows of ceil(N/2) bytes)
        Assert.True(result.Ok, result.FaultDetail);
        AssertOutputMatches(w4, program, result);
        Assert.Equal(program8.Outputs.Single().Read(result8.Dram), program.Outputs.Single().Read(result.Dram));
        var b = program.Tensors.Single(t => t.Name == "B");
        Assert.Equal(HwGen.Software.Programs.ElementType.Int4, b.Dtype);
        Assert.Equal((n + 1L) / 2, b.RowBytes(n));
        Assert.Equal(w4.B.Select(v => (long)v), b.Read(program.Dram));
        var loads = program.Instructions.Select(i => new InstructionView(i)).Where(v => v.Opcode == Opcode.Load).ToList();
        Assert.Contains(loads, v => v.Int4 && v.DramAddr >= b.Address && v.DramAddr < b.EndAddress);
        Assert.All(loads.Where(v => v.DramAddr < b.Address || v.DramAddr >= b.EndAddress), v => Assert.False(v.Int4));
        Assert.Equal(result8.DmaReadBytes - result.DmaReadBytes, loads.Where(v => v.Int4).Sum(v => v.Rows * (v.Cols - v.LoadRowBytes)));
    }

    [Fact]
    public void Int4_weights_on_a_design_without_the_unpacker_are_refused_naming_the_key()
    {
        // Arrange
        var d = TestConfigs.Load("ice40");
        var w = GemmWorkload.Create(8, 8, 8, weightBits: 4);

        // Act
        var error = Assert.Throws<ArgumentException>(() => GemmCompiler.Compile(d, w, Dataflow.Ws));

        // Assert
        Assert.Contains("scratchpad.int4_load", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Dataflow.Ws, 4)]
    [InlineData(Dataflow.Os, 4)]
    [InlineData(Dataflow.Ws, 8)]
    [InlineData(Dataflow.Os, 8)]
    public void Gemm_on_the_smallest_legal_memories_is_bit_exact(Dataflow dataflow, int dim)
    {
        // Arrange
        var d = TestConfigs.Cramped(dim);
        var w = GemmWorkload.Create(37, 29, 53, seed: 3, relu: true);

        // Act
        var program = GemmCompiler.Compile(d, w, dataflow);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        AssertOutputMatches(w, program, result);
    }

    [Theory]
    [InlineData(8, 4, Dataflow.Ws)]
    [InlineData(8, 4, Dataflow.Os)]
    [InlineData(4, 8, Dataflow.Ws)]
    [InlineData(4, 8, Dataflow.Os)]
    [InlineData(2, 2, Dataflow.Os)]
    public void Non_square_arrays_with_single_bank_memories_are_bit_exact(int rows, int cols, Dataflow dataflow)
    {
        // Arrange
        var d = DesignResolver.LoadText($"name: ns\narray:\n  rows: {rows}\n  cols: {cols}\nscratchpad:\n  kib: 1\n  banks: 1\naccumulator:\n  kib: 1\n  banks: 1\naxi:\n  data_bits: 32\n");
        var w = GemmWorkload.Create(23, 31, 41, seed: 12);

        // Act
        var program = GemmCompiler.Compile(d, w, dataflow);
        var result = GoldenSimulator.Run(d, program);

        // Assert
        Assert.True(result.Ok, result.FaultDetail);
        AssertOutputMatches(w, program, result);
    }

    [Fact]
    public void Seeded_random_shapes_on_every_config_and_dataflow_are_bit_exact()
    {
        // Arrange
        var rng = new Random(20240601);
        var designs = new[] { TestConfigs.Load("tiny"), TestConfigs.Load("small"), TestConfigs.Load("default"), TestConfigs.Cramped(4) };
        for (var trial = 0; trial < 24; trial++)
        {
            var d = designs[trial % designs.Length];
            var df = trial % 2 == 0 ? Dataflow.Ws : Dataflow.Os;
            var w = GemmWorkload.Create(rng.Next(1, 90), rng.Next(1, 90), rng.Next(1, 130), seed: (ulong)trial, relu: trial % 3 == 0);

            // Act
            var program = GemmCompiler.Compile(d, w, df);
            var result = GoldenSimulator.Run(d, program);

            // Assert
            Assert.True(result.Ok, $"{d.Name} {df} {w.Spec}: {result.FaultDetail}");
            AssertOutputMatches(w, program, result);
        }
    }

    [Theory]
    [InlineData("tiny", Dataflow.Ws)]
    [InlineData("tiny", Dataflow.Os)]
    [InlineData("small", Dataflow.Ws)]
    [InlineData("small", Dataflow.Os)]
    [InlineData("default", Dataflow.Ws)]
    [InlineData("default", Dataflow.Os)]
    public void Compiled_programs_have_a_deadlock_free_balanced_token_protocol(string config, Dataflow dataflow)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var w = GemmWorkload.Create(257, 33, 300, seed: 1);

        // Act
        var program = GemmCompiler.Compile(d, w, dataflow);
        var check = TokenChecker.Check(d, program.Instructions);

        // Assert
        Assert.True(check.Ok, string.Join("; ", check.Errors));
        Assert.All(check.FinalCounters, c => Assert.Equal(0, c));
        Assert.All(check.MaxCounters, c => Assert.InRange(c, 0, TokenChecker.CounterMax));
    }

    [Fact]
    public void Token_checker_reports_a_compute_that_waits_for_a_load_that_never_pushes()
    {
        // Arrange
        var d = TestConfigs.Load("tiny");
        var program = GemmCompiler.Compile(d, GemmWorkload.Create(8, 8, 8), Dataflow.Ws).Instructions
            .Select(i => i.Opcode == Opcode.Load ? Instruction.Create(i.Opcode, i.Values.Where(kv => kv.Key != "push_next").ToDictionary()) : i)
            .ToList();

        // Act
        var check = TokenChecker.Check(d, program);

        // Assert
        Assert.Contains(check.Errors, e => e.Contains("deadlock", StringComparison.Ordinal));
    }

    [Fact]
    public void Default_512_cube_ws_tiling_reuses_a_across_column_blocks_and_fits_the_memories()
    {
        // Arrange
        var d = TestConfigs.Load("default");

        // Act
        var t = TilingSearch.Choose(d, 512, 512, 512, Dataflow.Ws);

        // Assert
        Assert.True(TilingSearch.Fits(d, MemoryPlan.For(d), t));
        Assert.True(t.BlocksN >= 2, t.ToString());
        Assert.True(t.TileM >= 3 * d.Rows, t.ToString());
    }

    [Fact]
    public void Tensor_regions_describe_where_the_inputs_are_in_the_image()
    {
        // Arrange
        var d = TestConfigs.Load("small");
        var w = GemmWorkload.Create(19, 23, 17, seed: 5);

        // Act
        var program = GemmCompiler.Compile(d, w, Dataflow.Ws);

        // Assert
        var a = program.Tensors.Single(t => t.Name == "A").Read(program.Dram);
        var b = program.Tensors.Single(t => t.Name == "B").Read(program.Dram);
        Assert.Equal(w.A.Select(x => (long)x), a);
        Assert.Equal(w.B.Select(x => (long)x), b);
        Assert.Equal(0, program.ProgramAddress % 16);
        Assert.True(program.ProgramAddress + (program.Instructions.Count * 16) <= program.Dram.Length);
    }

    private static void AssertOutputMatches(GemmWorkload w, HwGen.Software.Programs.CompiledProgram program, GoldenResult result)
    {
        var expected = w.ReferenceOutput();
        var actual = program.Outputs.Single().Read(result.Dram);
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                Assert.Fail($"{w.Spec}: C[{i / w.N},{i % w.N}] expected {expected[i]} got {actual[i]}");
            }
        }
    }
}
