using Onnx;

namespace HwGen.Models;

/// <summary>
/// Recognizes a LayerNorm in either spelling: the fused LayerNormalization operator, or ReduceMean, Sub, square,
/// ReduceMean, +ε, Sqrt and Div (or Reciprocal·Mul) followed by optional γ and β; only the last axis is supported.
/// </summary>
internal sealed class LayerNormMatcher(OnnxGraph g, ImportWalker walk)
{
    public bool StartsPreNormLayer(string x)
    {
        var consumers = g.DataConsumers(x);
        var hasNorm = consumers.Any(c => c.OpType == "LayerNormalization") || (consumers.Any(c => c.OpType == "ReduceMean") && consumers.Any(c => c.OpType == "Sub"));
        var hasAdd = consumers.Any(c => c.OpType == "Add");
        return hasNorm && hasAdd;
    }

    public (LayerNormWeights Weights, string Output) LayerNormAt(string x, string what)
    {
        if (TryLayerNorm(x, out var w, out var output))
        {
            return (w, output);
        }

        var first = g.DataConsumers(x).FirstOrDefault();
        throw first is null ? new ModelException($"{g.File.Path}: expected {what} after '{x}'") : g.Error(first, $"expected {what}");
    }

    public bool TryLayerNorm(string x, out LayerNormWeights weights, out string output)
    {
        weights = null!;
        output = x;
        var consumers = g.DataConsumers(x);
        if (consumers.FirstOrDefault(c => c.OpType == "LayerNormalization" && c.Input[0] == x) is { } fused)
        {
            var axis = OnnxGraph.IntAttribute(fused, "axis", -1);
            if (axis != -1 && axis != 2)
            {
                throw g.Error(fused, $"LayerNormalization over axis {axis}; only the last axis is supported");
            }

            var width = g.Const(fused.Input[1])?.Values.Length ?? throw g.Error(fused, "its scale is not a constant");
            var gamma = walk.Vector(fused.Input[1], width, fused);
            var beta = fused.Input.Count > 2 && fused.Input[2].Length > 0 ? walk.Vector(fused.Input[2], width, fused) : FloatMatrix.Vector(new float[width]);
            g.Claim(fused);
            weights = new LayerNormWeights(gamma, beta, OnnxGraph.FloatAttribute(fused, "epsilon", 1e-5f));
            output = fused.Output[0];
            return true;
        }

        var mean = consumers.FirstOrDefault(c => c.OpType == "ReduceMean" && c.Input[0] == x);
        var sub = consumers.FirstOrDefault(c => c.OpType == "Sub" && c.Input[0] == x && mean is not null && c.Input[1] == mean.Output[0]);
        if (mean is null || sub is null)
        {
            return false;
        }

        CheckLastAxis(mean);
        var d = sub.Output[0];
        var dUsers = g.DataConsumers(d);
        var square = dUsers.FirstOrDefault(c => (c.OpType == "Pow" && g.Scalar(c.Input[1]) == 2f) || (c.OpType == "Mul" && c.Input[0] == d && c.Input[1] == d))
            ?? throw g.Error(sub, "a LayerNorm's deviation is never squared");
        var variance = g.DataConsumers(square.Output[0]).FirstOrDefault(c => c.OpType == "ReduceMean") ?? throw g.Error(square, "expected the variance (ReduceMean) of the squared deviation");
        CheckLastAxis(variance);
        var addEps = g.DataConsumers(variance.Output[0]).FirstOrDefault(c => c.OpType == "Add") ?? throw g.Error(variance, "expected ε added to the variance");
        var eps = g.Scalar(addEps.Input[1]) ?? g.Scalar(addEps.Input[0]) ?? throw g.Error(addEps, "ε is not a constant");
        var sqrt = g.DataConsumers(addEps.Output[0]).FirstOrDefault(c => c.OpType == "Sqrt") ?? throw g.Error(addEps, "expected √(variance + ε)");
        NodeProto normalize;
        var sqrtUser = g.DataConsumers(sqrt.Output[0]).FirstOrDefault() ?? throw g.Error(sqrt, "its result is unused");
        if (sqrtUser.OpType == "Div" && sqrtUser.Input[0] == d)
        {
            normalize = sqrtUser;
        }
        else if (sqrtUser.OpType == "Reciprocal" && g.DataConsumers(sqrtUser.Output[0]).FirstOrDefault(c => c.OpType == "Mul" && c.Input.Contains(d)) is { } mul)
        {
            g.Claim(sqrtUser);
            normalize = mul;
        }
        else
        {
            throw g.Error(sqrtUser, "expected the deviation divided by the standard deviation");
        }

        foreach (var n in new[] { mean, sub, square, variance, addEps, sqrt, normalize })
        {
            g.Claim(n);
        }

        var width2 = 0;
        var cur = normalize.Output[0];
        FloatMatrix? gammaV = null;
        FloatMatrix? betaV = null;
        if (g.DataConsumers(cur) is [{ OpType: "Mul" } gm] && (g.Const(gm.Input[1]) ?? g.Const(gm.Input[0])) is { } gc && !gc.IsScalar)
        {
            width2 = gc.Values.Length;
            gammaV = FloatMatrix.Vector(gc.Values);
            g.Claim(gm);
            cur = gm.Output[0];
        }

        if (g.DataConsumers(cur) is [{ OpType: "Add" } ba] && (g.Const(ba.Input[1]) ?? g.Const(ba.Input[0])) is { } bc && !bc.IsScalar && (width2 == 0 || bc.Values.Length == width2))
        {
            width2 = bc.Values.Length;
            betaV = FloatMatrix.Vector(bc.Values);
            g.Claim(ba);
            cur = ba.Output[0];
        }

        if (width2 == 0)
        {
            throw g.Error(normalize, "a LayerNorm without γ or β is not supported (width unknown)");
        }

        weights = new LayerNormWeights(gammaV ?? FloatMatrix.Vector(Enumerable.Repeat(1f, width2).ToArray()), betaV ?? FloatMatrix.Vector(new float[width2]), eps);
        output = cur;
        return true;
    }

    private void CheckLastAxis(NodeProto reduce)
    {
        var axes = OnnxGraph.IntsAttribute(reduce, "axes") ?? (reduce.Input.Count > 1 ? g.Const(reduce.Input[1])?.Values.Select(v => (long)v).ToArray() : null);
        if (axes is not [-1] and not [2])
        {
            throw g.Error(reduce, $"a LayerNorm reduction over axes [{string.Join(", ", axes ?? [])}]; only the last axis is supported");
        }
    }
}
