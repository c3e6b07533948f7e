using HwGen.Software.Compiler;
using HwGen.Software.Golden;
using HwGen.Software.Graph;
using HwGen.Software.Numerics;
using HwGen.Software.Workloads;

namespace HwGen.Tests.Software;

/// <summary>Operator graphs other than the layer presets: nodes of different shapes chained through DRAM.</summary>
public sealed class GraphCompilerTests
{
    [Theory]
    [InlineData("small")]
    [InlineData("tiny")]
    public void A_hand_built_graph_of_two_gemms_of_different_widths_runs_on_the_golden_model_like_its_integer_definition(string config)
    {
        // Arrange: Y = requant(requant(X·W1 + b1)·W2 + b2), X 20×24, W1 24×40, W2 40×24.
        var d = TestConfigs.Load(config);
        var rng = new SeededRandom(7);
        sbyte[] Int8(int n) => Enumerable.Range(0, n).Select(_ => (sbyte)(rng.Next(41) - 20)).ToArray();
        int[] Int32(int n) => Enumerable.Range(0, n).Select(_ => rng.Next(1001) - 500).ToArray();
        var (m, h, f) = (20, 24, 40);
        var (x, w1, w2, b1, b2) = (Int8(m * h), Int8(h * f), Int8(f * h), Int32(f), Int32(h));
        var (r1, r2) = (Requantizer.FromScale(1.0 / 64), Requantizer.FromScale(1.0 / 128));
        var g = new GraphBuilder();
        var xt = g.Tensor(GraphTensor.Input("X", m, h, x));
        var w1t = g.Tensor(GraphTensor.Input("W1", h, f, w1));
        var w2t = g.Tensor(GraphTensor.Input("W2", f, h, w2));
        var (b1t, b2t) = (g.Tensor(GraphTensor.Rowwise("B1", b1)), g.Tensor(GraphTensor.Rowwise("B2", b2)));
        var (ht, yt) = (g.Tensor(GraphTensor.Output("H", m, f)), g.Tensor(GraphTensor.Output("Y", m, h)));
        g.Node(new GemmNode("up", new(xt), new(w1t), false, m, f, h, b1t, GemmEpilogue.Requantize, new(ht)) { Requant = r1 });
        g.Node(new GemmNode("down", new(ht), new(w2t), false, m, h, f, b2t, GemmEpilogue.Requantize, new(yt)) { Requant = r2 });

        // Act
        var compiled = GraphCompiler.Compile(d, g.Build("graph:two-gemms", h), new Dictionary<string, object>());
        var run = GoldenSimulator.Run(d, compiled.Program);

        // Assert
        static sbyte[] Gemm(sbyte[] a, sbyte[] b, int[] bias, int rows, int cols, int k, Requantization r) =>
            Enumerable.Range(0, rows * cols).Select(e => r.Apply(bias[e % cols] + Enumerable.Range(0, k).Sum(t => a[(e / cols * k) + t] * b[(t * cols) + (e % cols)]))).ToArray();
        var expected = Gemm(Gemm(x, w1, b1, m, f, h, r1), w2, b2, m, h, f, r2);
        Assert.True(run.Ok, run.FaultName);
        Assert.Equal(["up", "down"], compiled.Ops.Select(o => o.Name));
        Assert.Equal(2L * m * h * f, compiled.Program.Macs);
        Assert.Equal(expected.Select(v => (long)v), compiled.Program.Tensors.Single(t => t.Name == "Y").Read(run.Dram));
    }
}
