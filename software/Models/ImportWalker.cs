using Onnx;

namespace HwGen.Models;

/// <summary>
/// The importer's shared steps over an <see cref="OnnxGraph"/>: constants read as matrices and vectors, layout-only
/// nodes (reshape, transpose, …) followed and claimed, and the residual Add of a sub-layer.
/// </summary>
internal sealed class ImportWalker(OnnxGraph g)
{
    public static readonly IReadOnlySet<string> LayoutOps = new HashSet<string>(StringComparer.Ordinal) { "Reshape", "Transpose", "Identity", "Dropout", "Flatten", "Squeeze", "Unsqueeze" };

    public FloatMatrix Matrix(string name)
    {
        var c = g.Const(name) ?? throw new ModelException($"{g.File.Path}: '{name}' is not a constant");
        var dims = c.Dims.SkipWhile(d => d == 1).ToArray();
        return dims.Length switch
        {
            0 => new FloatMatrix(1, 1, c.Values),
            1 => new FloatMatrix(1, (int)dims[0], c.Values),
            2 => new FloatMatrix((int)dims[0], (int)dims[1], c.Values),
            _ => throw new ModelException($"{g.File.Path}: '{name}' has shape [{string.Join(", ", c.Dims)}], expected a matrix"),
        };
    }

    public FloatMatrix Vector(string name, int width, NodeProto at)
    {
        var c = g.Const(name);
        if (c is null || c.Count != width)
        {
            throw g.Error(at, $"expected a constant vector of {width} values");
        }

        return FloatMatrix.Vector(c.Values);
    }

    public string FollowLayout(string name)
    {
        var cur = name;
        while (g.DataConsumers(cur) is [{ } n] && LayoutOps.Contains(n.OpType) && n.Input[0] == cur && !StartsLayerNormOrLinear(cur))
        {
            g.Claim(n);
            cur = n.Output[0];
        }

        return cur;
    }

    private bool StartsLayerNormOrLinear(string name) =>
        g.DataConsumers(name).Any(c => c.OpType is "MatMul" or "Gemm" or "LayerNormalization" or "ReduceMean");


    public string ResidualAdd(string a, string b)
    {
        var target = FollowLayout(a);
        var add = g.DataConsumers(target).FirstOrDefault(c => c.OpType == "Add" && c.Input.Contains(b));
        if (add is null)
        {
            var first = g.DataConsumers(target).FirstOrDefault();
            throw first is null
                ? new ModelException($"{g.File.Path}: '{target}' is never added back to the residual stream")
                : g.Error(first, "expected the residual Add of this sub-layer's output and its input");
        }

        g.Claim(add);
        return add.Output[0];
    }
}
