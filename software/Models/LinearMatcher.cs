using Onnx;

namespace HwGen.Models;

/// <summary>
/// Recognizes dense projections: MatMul by a constant matrix with an optional bias Add, or Gemm (transB, α, β folded
/// into the weights), possibly behind a Reshape or Flatten.
/// </summary>
internal sealed class LinearMatcher(OnnxGraph g, ImportWalker walk)
{
    /// <summary>The dense projections that read <paramref name="x"/> (directly or through a reshape for Gemm).</summary>
    public List<(LinearWeights Weights, string Output, NodeProto First)> Linears(string x)
    {
        var found = new List<(LinearWeights, string, NodeProto)>();
        foreach (var c in g.DataConsumers(x))
        {
            var start = c;
            if (c.OpType is "Reshape" or "Flatten" && g.DataConsumers(c.Output[0]) is [{ OpType: "Gemm" or "MatMul" } inner])
            {
                start = inner;
            }

            if (TryLinear(start, out var w, out var output))
            {
                found.Add((w, output, c));
            }
        }

        return found;
    }

    private bool TryLinear(NodeProto n, out LinearWeights weights, out string output)
    {
        weights = null!;
        output = string.Empty;
        if (n.OpType == "MatMul" && g.Const(n.Input[1]) is { EffectiveRank: 2 } && g.Const(n.Input[0]) is null)
        {
            var w = walk.Matrix(n.Input[1]);
            output = n.Output[0];
            var bias = FloatMatrix.Vector(new float[w.Cols]);
            if (g.DataConsumers(output) is [{ OpType: "Add" } add] && (g.Const(add.Input[1]) ?? g.Const(add.Input[0])) is { } b && b.Count == w.Cols)
            {
                bias = FloatMatrix.Vector(b.Values);
                output = add.Output[0];
                g.Claim(add);
            }

            g.Claim(n);
            weights = new LinearWeights(w, bias);
            return true;
        }

        if (n.OpType == "Gemm" && g.Const(n.Input[1]) is { Dims.Length: 2 } && g.Const(n.Input[0]) is null)
        {
            if (OnnxGraph.IntAttribute(n, "transA", 0) != 0)
            {
                throw g.Error(n, "Gemm with transA=1 on activations");
            }

            var w = walk.Matrix(n.Input[1]);
            var alpha = OnnxGraph.FloatAttribute(n, "alpha", 1f);
            var beta = OnnxGraph.FloatAttribute(n, "beta", 1f);
            var transB = OnnxGraph.IntAttribute(n, "transB", 0) != 0;
            var rows = transB ? w.Cols : w.Rows;
            var cols = transB ? w.Rows : w.Cols;
            var values = new float[rows * cols];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < cols; c++)
                {
                    values[(r * cols) + c] = alpha * (transB ? w[c, r] : w[r, c]);
                }
            }

            var bias = new float[cols];
            if (n.Input.Count > 2 && n.Input[2].Length > 0)
            {
                var b = g.Const(n.Input[2]);
                if (b is null || b.Count != cols)
                {
                    throw g.Error(n, $"Gemm bias must be a constant of {cols} values");
                }

                for (var c = 0; c < cols; c++)
                {
                    bias[c] = beta * b.Values[c];
                }
            }

            g.Claim(n);
            weights = new LinearWeights(new FloatMatrix(rows, cols, values), FloatMatrix.Vector(bias));
            output = n.Output[0];
            if (g.Producer(n.Input[0]) is { OpType: "Reshape" or "Flatten" } pre)
            {
                g.Claim(pre);
            }

            return true;
        }

        return false;
    }
}
