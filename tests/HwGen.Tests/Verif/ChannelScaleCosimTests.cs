using System.Buffers.Binary;
using System.Globalization;
using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Layers;
using HwGen.Software.Programs;
using HwGen.Software.References;
using HwGen.Software.Workloads;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// <c>store col_mult</c> (per-column requantization multipliers, per-channel int4 weight scales) on the RTL against the
/// golden model, bit for bit: per-channel int4 GEMMs, a hand-written program of back-to-back column stores and the
/// dispatch faults.
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class ChannelScaleCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private readonly RowUnitCosim cosim = new(fixture, output);

    private const int AccAddr = 0x100;
    private const int MultAddr = 0x300;
    private const int OutAddr = 0x800;

    [SkippableTheory]
    [InlineData("tiny", Dataflow.Ws, 20, 24, 36)]
    [InlineData("tiny", Dataflow.Os, 13, 10, 9)]
    [InlineData("small", Dataflow.Ws, 40, 48, 33)]
    [InlineData("default", Dataflow.Ws, 40, 200, 70)]
    public async Task Per_channel_int4_gemms_match_the_golden_model_and_the_untiled_reference(string config, Dataflow dataflow, int m, int n, int k)
    {
        // Arrange
        var w = GemmWorkload.FromSpec(WorkloadSpec.Parse(string.Create(CultureInfo.InvariantCulture, $"gemm:M={m},N={n},K={k},seed=3,wbits=4")));
        CompiledProgram? program = null;

        // Act
        await cosim.RunBitExactAsync(config, d => program = GemmCompiler.Compile(d, w, dataflow));

        // Assert: the stores took column multipliers, and the golden output (equal to the RTL's) is the untiled reference
        var golden = GoldenSimulator.Run(cosim.Design(config), program!);
        Assert.Contains(program!.Instructions, i => new InstructionView(i) is { Opcode: Opcode.Store, ColMult: true });
        Assert.Equal(UntiledReference.ForProgram(program)!.Single().Values, program.Outputs.Single().Read(golden.Dram));
    }

    [SkippableTheory]
    [InlineData("small", "bert-tiny:seq=32,wbits=4")]
    [InlineData("default", "gpt2-small:seq=16,heads=2,ffn=256,wbits=4")]
    [InlineData("small", "gpt2-small:seq=12,hidden=48,attn_heads=2,ffn_dim=64,wbits=4")]
    [InlineData("small", "gpt2-small:seq=9,hidden=8,attn_heads=1,ffn_dim=16,wbits=4")]
    public async Task Per_channel_int4_layers_match_the_golden_model_bit_for_bit(string config, string workload)
    {
        // Arrange: post-LN (Q/K/V column stores, gelu_col, both LayerNorms in column mode) and pre-LN (also both residual
        // adds in column mode, per-channel Wo and W2; rows of several blocks and of one, where the add's fill and its first
        // read meet)
        var spec = WorkloadSpec.Parse(workload);
        CompiledProgram? program = null;

        // Act
        await cosim.RunBitExactAsync(config, d => program = LayerCompiler.Compile(d, spec));

        // Assert: the program used the per-channel paths (the golden model equals the integer reference: ChannelScaleLayerTests)
        var views = program!.Instructions.Select(i => new InstructionView(i)).ToList();
        Assert.Contains(views, v => v is { Opcode: Opcode.Store, ColMult: true });
        Assert.Contains(views, v => v is { Opcode: Opcode.Store, StoreFunc: StoreFunc.GeluColumn });
        if (workload.StartsWith("gpt2", StringComparison.Ordinal))
        {
            var inShift = views.Select((v, i) => (v, i)).Where(p => p.v is { Opcode: Opcode.ConfigPost, Reg: PostRegister.LnInShift }).ToList();
            var adds = views.Select((v, i) => (v, i)).Where(p => p.v is { Opcode: Opcode.Normalize, NormalizeFunc: NormalizeFunc.Add }).ToList();
            Assert.NotEmpty(adds);
            Assert.All(adds, a => Assert.NotEqual(0UL, inShift.Last(s => s.i < a.i).v.Value));
        }
    }

    /// <summary>
    /// Accumulator rows and two multiplier rows (lanes with bit 31 set, which the store ignores) loaded into the
    /// accumulator; column stores back to back with a change of requant_cols between them, a plain store between column
    /// ones, a narrower one, and one after a config_store with ReLU.
    /// </summary>
    private static CompiledProgram HandProgram(DesignModel d, ulong seed)
    {
        var n = d.Cols;
        var rng = new SeededRandom(seed);
        var image = new byte[0x1000];
        for (var i = 0; i < 4 * n; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(image.AsSpan(AccAddr + (4 * i)), rng.Next(8001) - 4000);
        }

        for (var i = 0; i < 2 * n; i++)
        {
            var m = (uint)(rng.NextU64() & int.MaxValue) | (i % 3 == 0 ? 0x8000_0000u : 0);
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(MultAddr + (4 * i)), m);
        }

        image.AsSpan(OutAddr, 0x400).Fill(0xA5);
        var rb = 4 * n;
        var text = string.Create(CultureInfo.InvariantCulture, $"""
            load target=acc rows=4 cols={n} local_addr=0 dram_addr={AccAddr} dram_stride={rb}
            load target=acc rows=2 cols={n} local_addr=10 dram_addr={MultAddr} dram_stride={rb} push_next=1
            compute rows=1 k=1 a_addr=0 b_addr=0 c_addr=20 pop_prev=1 push_next=1
            config_store multiplier=1234567 shift=36
            config_post reg=requant_cols value=10
            store col_mult=1 rows=4 cols={n} local_addr=0 dram_addr={OutAddr} dram_stride={n} pop_prev=1
            config_post reg=requant_cols value=11
            store col_mult=1 rows=4 cols={n} local_addr=0 dram_addr={OutAddr + 0x100} dram_stride={n}
            store rows=4 cols={n} local_addr=0 dram_addr={OutAddr + 0x200} dram_stride={n}
            store col_mult=1 rows=2 cols={n - 1} local_addr=1 dram_addr={OutAddr + 0x280} dram_stride={n}
            config_store multiplier=777 shift=36 relu=1
            store col_mult=1 rows=4 cols={n} local_addr=0 dram_addr={OutAddr + 0x300} dram_stride={n}
            """);
        return AssembledProgram.Create("col-mult", AssembledProgram.Words(text), image);
    }

    [SkippableTheory]
    [InlineData("tiny")]
    [InlineData("small")]
    public async Task Column_stores_back_to_back_match_the_golden_model_bit_for_bit(string config)
    {
        // Arrange
        var d = cosim.Design(config);
        var program = HandProgram(d, seed: 11);
        var golden = GoldenSimulator.Run(d, program);

        // Act
        await cosim.RunBitExactAsync(config, _ => program);

        // Assert: not vacuous (the two multiplier rows and the plain store give different bytes; ReLU clamps)
        var n = d.Cols;
        Assert.True(golden.Ok, golden.FaultDetail);
        var first = golden.Dram.AsSpan(OutAddr, 4 * n).ToArray();
        Assert.NotEqual(first, golden.Dram.AsSpan(OutAddr + 0x100, 4 * n).ToArray());
        Assert.NotEqual(first, golden.Dram.AsSpan(OutAddr + 0x200, 4 * n).ToArray());
        Assert.Contains(first, b => b is > 0 and < 0x7f or > 0x80 and < 0xff);
        Assert.DoesNotContain(golden.Dram.AsSpan(OutAddr + 0x300, 4 * n).ToArray(), b => b >= 0x80);
    }

    [SkippableTheory]
    [InlineData("tiny", "store func=gelu col_mult=1 rows=1 cols=4", "bad_field")]
    [InlineData("tiny", "store func=requant_row col_mult=1 rows=1 cols=4", "bad_field")]
    [InlineData("ice40", "store col_mult=1 rows=1 cols=2", "bad_field")]
    public async Task Illegal_column_stores_fault_with_bad_field_in_the_RTL_as_in_the_golden_model(string config, string insn, string fault)
    {
        // Arrange, Act and Assert: instruction 2 of a small GEMM replaced
        await cosim.AssertFaultsAlikeAsync(config, d => GemmCompiler.Compile(d, GemmWorkload.Create(4, 4, 4, seed: 1), Dataflow.Ws), 2, insn, fault);
    }

    [SkippableTheory]
    [InlineData("config_post reg=requant_cols value=256", "acc_range")]
    [InlineData("config_post reg=requant_cols value=65535", "acc_range")]
    public async Task Column_multipliers_outside_the_accumulator_fault_with_acc_range_alike(string insn, string fault)
    {
        // Arrange, Act and Assert: the first requant_cols of a tiny per-channel GEMM moved past the accumulator (256 rows);
        // the first column store faults
        var program = GemmCompiler.Compile(cosim.Design("tiny"), GemmWorkload.FromSpec(WorkloadSpec.Parse("gemm:M=8,N=8,K=8,wbits=4")), Dataflow.Ws);
        var list = program.Instructions.Select(i => new InstructionView(i)).ToList();
        var post = list.FindIndex(v => v is { Opcode: Opcode.ConfigPost, Reg: PostRegister.RequantCols });
        var store = list.FindIndex(v => v is { Opcode: Opcode.Store, ColMult: true });
        Assert.True(post >= 0 && post < store);
        await cosim.AssertFaultsAlikeAsync("tiny", _ => program, post, insn, fault, store);
    }
}
