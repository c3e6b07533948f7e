using HwGen.Software.Numerics.Transformer;
using Onnx;

namespace HwGen.Models;

/// <summary>
/// Recognizes the feed-forward block: two projections around an activation that is either the fused Gelu operator
/// or an elementwise region that evaluates to GELU (erf or tanh form) on sample points.
/// </summary>
internal sealed class FfnMatcher(OnnxGraph g, ImportWalker walk, LinearMatcher projections)
{
    public (LinearWeights Ffn1, GeluForm Gelu, LinearWeights Ffn2, string Output) Ffn(string x)
    {
        var first = projections.Linears(x);
        if (first.Count != 1)
        {
            throw g.Error(g.DataConsumers(x).FirstOrDefault() ?? g.Producer(x)!, $"expected one FFN projection of the normalized hidden state, found {first.Count}");
        }

        var ffn1 = first[0];
        var gStart = walk.FollowLayout(ffn1.Output);
        var (form, gEnd) = Gelu(gStart);
        var second = projections.Linears(gEnd);
        if (second.Count != 1)
        {
            throw g.Error(g.DataConsumers(gEnd).FirstOrDefault() ?? g.Producer(gEnd)!, "expected the second FFN projection after GELU");
        }

        return (ffn1.Weights, form, second[0].Weights, second[0].Output);
    }

    /// <summary>
    /// Collects the elementwise nodes between the FFN projections and evaluates them on sample points: the
    /// activation must be GELU in its erf or tanh form (whatever the exporter's spelling).
    /// </summary>
    private (GeluForm Form, string Output) Gelu(string x)
    {
        if (g.DataConsumers(x) is [{ OpType: "Gelu" } fused])
        {
            g.Claim(fused);
            var approx = fused.Attribute.FirstOrDefault(a => a.Name == "approximate")?.S.ToStringUtf8() ?? "none";
            return (approx == "tanh" ? GeluForm.Tanh : GeluForm.Erf, fused.Output[0]);
        }

        var elementwise = new HashSet<string>(StringComparer.Ordinal) { "Div", "Mul", "Add", "Sub", "Erf", "Tanh", "Pow", "Sqrt", "Neg" };
        var region = new List<NodeProto>();
        var frontier = new HashSet<string>(StringComparer.Ordinal) { x };
        string? end = null;
        foreach (var n in g.Nodes)
        {
            if (!n.Input.Any(frontier.Contains))
            {
                continue;
            }

            if (!elementwise.Contains(n.OpType))
            {
                if (n.OpType is "MatMul" or "Gemm" or "Reshape" or "Flatten")
                {
                    continue; // the second projection
                }

                throw g.Error(n, "expected GELU (erf or tanh form) between the FFN projections");
            }

            region.Add(n);
            frontier.Add(n.Output[0]);
        }

        // The activation's output is the region value read by the second projection.
        foreach (var n in region)
        {
            if (g.DataConsumers(n.Output[0]).Any(c => !region.Contains(c)))
            {
                end = end is null ? n.Output[0] : throw g.Error(n, "the FFN activation has two outputs");
            }
        }

        if (end is null || region.Count == 0)
        {
            throw g.Error(g.DataConsumers(x).FirstOrDefault() ?? g.Producer(x)!, "no activation between the FFN projections (GELU expected)");
        }

        double maxErf = 0, maxTanh = 0;
        for (var i = -80; i <= 80; i++)
        {
            var s = i / 10.0;
            var y = EvaluateScalar(region, x, end, s);
            maxErf = Math.Max(maxErf, Math.Abs(y - ReferenceFunctions.Gelu(s)));
            maxTanh = Math.Max(maxTanh, Math.Abs(y - (0.5 * s * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (s + (0.044715 * s * s * s)))))));
        }

        var form = maxErf <= maxTanh ? GeluForm.Erf : GeluForm.Tanh;
        if (Math.Min(maxErf, maxTanh) > 1e-4)
        {
            throw g.Error(region[0], $"the FFN activation is not GELU (it differs from the erf form by {maxErf:G3} and from the tanh form by {maxTanh:G3} on [-8, 8])");
        }

        foreach (var n in region)
        {
            g.Claim(n);
        }

        return (form, end);
    }

    private double EvaluateScalar(List<NodeProto> region, string x, string end, double input)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal) { [x] = input };
        double Get(string name, NodeProto at) => values.TryGetValue(name, out var v) ? v : g.Scalar(name) ?? throw g.Error(at, "an activation operand is neither the input nor a scalar constant");
        foreach (var n in region)
        {
            var a = Get(n.Input[0], n);
            values[n.Output[0]] = n.OpType switch
            {
                "Erf" => ReferenceFunctions.Erf(a),
                "Tanh" => Math.Tanh(a),
                "Sqrt" => Math.Sqrt(a),
                "Neg" => -a,
                "Add" => a + Get(n.Input[1], n),
                "Sub" => a - Get(n.Input[1], n),
                "Mul" => a * Get(n.Input[1], n),
                "Div" => a / Get(n.Input[1], n),
                "Pow" => Math.Pow(a, Get(n.Input[1], n)),
                _ => throw g.Error(n, "not elementwise"),
            };
        }

        return values[end];
    }
}
