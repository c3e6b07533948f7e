using System.Globalization;
using HwGen.Generator.Isa;
using HwGen.Software.Compiler;
using HwGen.Software.Workloads;
using HwGen.Tests.Software;
using HwGen.Verif;
using Xunit.Abstractions;

namespace HwGen.Tests.Verif;

/// <summary>
/// The late-normalized Softmax in hardware (issue 13; normalize softmax_late, store requant_row, the row-scale memory):
/// whole layers co-simulated bit for bit against the golden model and the untiled reference, on rows of one and two
/// blocks (many rows waiting for their multiplier), rows of 3 to 32 blocks, causal and not, on two configurations, and the slots at the top of
/// the row-scale memory (two heads of 512 tokens use all 1,024).
/// </summary>
[Collection(CosimGroup.Name)]
public sealed class LateSoftmaxCosimTests(CosimFixture fixture, ITestOutputHelper output)
{
    private static readonly CosimOptions Bounded = new() { MaxCycles = 20_000_000, Watchdog = 500_000 };

    public static TheoryData<string, string> Layers() => new()
    {
        { "default", "bert-tiny:seq=20,causal=1,softmax_late=1" },
        { "default", "bert-tiny:seq=48,softmax_late=1" },
        { "small", "bert-tiny:seq=96,causal=1,softmax_late=1" },
        { "default", "bert-tiny:seq=512,softmax_late=1" },
    };

    [Fact]
    public void A_design_without_the_per_head_lowering_refuses_the_late_softmax_with_a_clear_error()
    {
        // Arrange: tiny has no four scratchpad banks
        var tiny = TestConfigs.Load("tiny");

        // Act
        var error = Assert.Throws<ArgumentException>(() => { _ = WorkloadCompiler.Prepare(tiny, WorkloadSpec.Parse("bert-tiny:seq=32,softmax_late=1")); });

        // Assert
        Assert.Contains("softmax_late=1", error.Message, StringComparison.Ordinal);
        Assert.Contains("'tiny'", error.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [MemberData(nameof(Layers))]
    public async Task A_late_normalized_layer_is_bit_exact_and_its_probabilities_sum_to_one(string config, string workload)
    {
        // Arrange
        RequiresVerilator.Check();
        var session = fixture.Session(config);
        var (program, layer) = WorkloadCompiler.Prepare(session.Design, WorkloadSpec.Parse(workload));

        // Act
        var report = await session.RunAsync(program, Bounded);

        // Assert: RTL = golden model = untiled reference; P measured as u/Σu per row against the float probabilities
        Assert.NotNull(layer);
        Assert.True(report.Match, GemmCosimTests.Describe(report));
        Assert.NotEqual(false, report.ReferenceMatch);
        Assert.Contains(program.Instructions, i => i.Opcode == Opcode.Normalize && new InstructionView(i).NormalizeFunc == NormalizeFunc.SoftmaxLate);
        Assert.Contains(program.Instructions, i => i.Opcode == Opcode.Store && new InstructionView(i).StoreFunc == StoreFunc.RequantizeRow);
        var p = Assert.Single(report.Accuracy, a => a.Tensor == "P");
        var o = Assert.Single(report.Accuracy, a => a.Tensor == "O");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{config} {workload}: {report.Cycles} cycles, P cosine {p.Cosine:F5}, O cosine {o.Cosine:F5}"));
        Assert.InRange(p.Cosine, 0.99, 1.0);

        // The attention view: one row per head, each with its QKᵀ and P·V array cycles and a Softmax the array overlapped
        var attention = layer.Report(session.Design, report, model: false).Attention;
        Assert.Equal(layer.Quantized.Spec.Heads, attention.Count);
        Assert.All(attention, h =>
        {
            Assert.True(h.QkArrayCycles > 0 && h.PvArrayCycles > 0 && h.SoftmaxCycles > 0, h.ToString());
            Assert.InRange(h.SoftmaxOverlapped, 1, h.SoftmaxCycles);
        });
    }
}
