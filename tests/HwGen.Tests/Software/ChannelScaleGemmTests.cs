using HwGen.Generator.Design;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Numerics;
using HwGen.Software.References;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Software;

/// <summary>
/// int4 GEMMs with a scale per output channel (<c>gemm:...,wbits=4</c>, <c>chscale</c> 1 by default): the golden model
/// runs the program's <c>store col_mult</c> requantization bit for bit like the untiled reference, and the per-column
/// multipliers share one shift.
/// </summary>
public sealed class ChannelScaleGemmTests
{
    [Theory]
    [InlineData("tiny", Dataflow.Ws, 100, 77, 45)]
    [InlineData("tiny", Dataflow.Os, 100, 77, 45)]
    [InlineData("small", Dataflow.Ws, 64, 96, 80)]
    [InlineData("small", Dataflow.Os, 33, 40, 100)]
    [InlineData("default", Dataflow.Ws, 40, 200, 70)]
    [InlineData("default", Dataflow.Os, 256, 256, 256)]
    public void Per_channel_int4_gemms_store_with_column_multipliers_and_match_the_untiled_reference(string config, Dataflow dataflow, int m, int n, int k)
    {
        // Arrange
        var d = TestConfigs.Load(config);
        var spec = WorkloadSpec.Parse($"gemm:M={m},N={n},K={k},seed=5,wbits=4");
        var w = GemmWorkload.FromSpec(spec);

        // Act
        var program = GemmCompiler.Compile(d, w, dataflow);
        var result = GoldenSimulator.Run(d, program);

        // Assert: bit-exact with the untiled reference; every output store takes column multipliers
        Assert.True(result.Ok, result.FaultDetail);
        Assert.NotNull(w.ColumnRequant);
        Assert.Equal(spec.ToString(), w.Spec);
        var expected = UntiledReference.ForProgram(program)!.Single().Values;
        Assert.Equal(expected, program.Outputs.Single().Read(result.Dram));
        var stores = program.Instructions.Select(i => new InstructionView(i)).Where(v => v.Opcode == Opcode.Store).ToList();
        Assert.NotEmpty(stores);
        Assert.All(stores, v => Assert.True(v.ColMult));
        Assert.Single(w.ColumnRequant!.Select(r => r.Shift).Distinct());
        Assert.True(w.ColumnRequant!.Select(r => r.Multiplier).Distinct().Count() > 1);
    }

    [Fact]
    public void Per_channel_scales_beat_one_scale_per_tensor_against_the_float_product()
    {
        // Arrange: outlier output channels (×8) set the per-tensor step for every column
        var perChannel = GemmWorkload.Create(64, 128, 256, seed: 3, weightBits: 4, channelScales: true);
        var perTensor = GemmWorkload.Create(64, 128, 256, seed: 3, weightBits: 4);
        var exact = GemmWorkload.Create(64, 128, 256, seed: 3).FloatReference();

        // Act
        var cosChannel = Cosine(perChannel.ReferenceOutput().Select(v => (double)v).ToArray(), exact);
        var cosTensor = Cosine(perTensor.ReferenceOutput().Select(v => (double)v).ToArray(), exact);

        // Assert
        Assert.True(cosChannel > cosTensor, $"per channel {cosChannel}, per tensor {cosTensor}");
        Assert.True(cosChannel > 0.99, $"per channel {cosChannel}");
    }

    [Fact]
    public void Per_channel_scales_on_a_design_without_column_multipliers_are_refused_naming_the_key()
    {
        // Arrange
        var yaml = File.ReadAllText(Path.Combine(TestConfigs.RepoRoot, "configs", "tiny.yaml")) + "requant:\n  per_column: false\n";
        var d = DesignResolver.LoadText(yaml);
        var w = GemmWorkload.FromSpec(WorkloadSpec.Parse("gemm:M=8,N=8,K=8,wbits=4"));

        // Act
        var error = Assert.Throws<ArgumentException>(() => GemmCompiler.Compile(d, w, Dataflow.Ws));
        var ok = GemmCompiler.Compile(d, GemmWorkload.FromSpec(WorkloadSpec.Parse("gemm:M=8,N=8,K=8,wbits=4,chscale=0")), Dataflow.Ws);

        // Assert
        Assert.Contains("requant.per_column", error.Message, StringComparison.Ordinal);
        Assert.True(GoldenSimulator.Run(d, ok).Ok);
    }

    [Fact]
    public void Chscale_with_int8_weights_is_refused()
    {
        // Arrange, Act
        var error = Assert.Throws<FormatException>(() => GemmWorkload.FromSpec(WorkloadSpec.Parse("gemm:M=8,N=8,K=8,chscale=1")));

        // Assert
        Assert.Contains("chscale=1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Column_requantizations_share_the_shift_of_the_largest_scale()
    {
        // Arrange, Act
        var columns = Requantizer.FromScales([1e-3, 2.5e-4, 0.0, 7.3e-3]);

        // Assert
        Assert.All(columns, r => Assert.Equal(Requantizer.FromScale(7.3e-3).Shift, r.Shift));
        Assert.Equal(Requantizer.FromScale(7.3e-3).Multiplier, columns[3].Multiplier);
        Assert.Equal(0, columns[2].Multiplier);
        Assert.All(columns, r => Assert.True(r.IsValid));
    }

    private static double Cosine(double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
