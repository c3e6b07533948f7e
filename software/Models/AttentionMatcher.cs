using Onnx;

namespace HwGen.Models;

/// <summary>
/// Recognizes multi-head self-attention: three projections meeting in QKᵀ and probabilities·V, with the score scale
/// (on the scores or split over Q and K), an additive mask from the graph inputs, Softmax over the last axis, the head
/// merge and the output projection.
/// </summary>
internal sealed class AttentionMatcher(OnnxGraph g, ImportWalker walk, LinearMatcher projections)
{
    public (LinearWeights Q, LinearWeights K, LinearWeights V, LinearWeights O, int Heads, int HeadDim, float Scale, float Mask, string Output) Attention(string x, int hidden)
    {
        var linears = projections.Linears(x);
        if (linears.Count != 3)
        {
            var first = g.DataConsumers(x).FirstOrDefault();
            throw first is null ? new ModelException($"{g.File.Path}: '{x}' feeds no attention") : g.Error(first, $"expected three projections (Q, K, V) of the hidden state, found {linears.Count}");
        }

        // Follow each projection through layout ops and constant scalings to the dynamic MatMul it feeds.
        var targets = linears.Select(l => (l.Weights, Target: ToDynamicMatMul(l.Output))).ToList();
        var scores = targets.GroupBy(t => t.Target.Node).FirstOrDefault(grp => grp.Count() == 2)
            ?? throw g.Error(targets[0].Target.Node, "the projections do not meet in a QKᵀ MatMul");
        var q = scores.First(t => t.Target.Slot == 0);
        var k = scores.First(t => t.Target.Slot == 1);
        var v = targets.Single(t => t.Target.Node != scores.Key);
        if (v.Target.Slot != 1)
        {
            throw g.Error(v.Target.Node, "the V projection must be the right operand of the probabilities·V MatMul");
        }

        var scale = q.Target.Scale * k.Target.Scale;
        var scoresNode = scores.Key;
        g.Claim(scoresNode);
        var cur = scoresNode.Output[0];
        var mask = float.NaN;
        NodeProto? softmax = null;
        while (softmax is null)
        {
            var users = g.DataConsumers(cur);
            if (users.Count != 1)
            {
                throw users.Count == 0 ? new ModelException($"{g.File.Path}: the attention scores '{cur}' are unused") : g.Error(users[0], "the attention scores branch; expected scale, mask and Softmax in a chain");
            }

            var n = users[0];
            if (ImportWalker.LayoutOps.Contains(n.OpType))
            {
                cur = n.Output[0];
            }
            else if (n.OpType is "Div" or "Mul" && g.Scalar(n.Input[1]) is { } s)
            {
                scale *= n.OpType == "Div" ? 1f / s : s;
                cur = n.Output[0];
            }
            else if (n.OpType == "Add")
            {
                var other = n.Input[0] == cur ? n.Input[1] : n.Input[0];
                mask = MaskConstant(other);
                cur = n.Output[0];
            }
            else if (n.OpType == "Softmax")
            {
                var axis = OnnxGraph.IntAttribute(n, "axis", g.File.Opset >= 13 ? -1 : 1);
                if (axis != -1 && axis != 3)
                {
                    throw g.Error(n, $"Softmax over axis {axis}; attention needs the last axis");
                }

                softmax = n;
                cur = n.Output[0];
            }
            else
            {
                throw g.Error(n, "expected scaling, the additive mask or Softmax on the attention scores");
            }

            g.Claim(n);
        }

        cur = walk.FollowLayout(cur);
        var context = g.DataConsumers(cur).FirstOrDefault(c => c == v.Target.Node && c.Input[0] == cur)
            ?? throw g.Error(g.DataConsumers(cur).FirstOrDefault() ?? softmax, "expected the probabilities·V MatMul after Softmax");
        g.Claim(context);
        var merged = walk.FollowLayout(context.Output[0]);
        var outputs = projections.Linears(merged);
        if (outputs.Count != 1)
        {
            throw g.Error(g.DataConsumers(merged).FirstOrDefault() ?? context, "expected the attention output projection after merging the heads");
        }

        var width = q.Weights.Out;
        var heads = HeadCount(linears.First(l => ReferenceEquals(l.Weights, q.Weights)).Output, width, scale);
        return (q.Weights, k.Weights, v.Weights, outputs[0].Weights, heads, width / heads, scale, mask, outputs[0].Output);
    }

    private (NodeProto Node, int Slot, float Scale) ToDynamicMatMul(string start)
    {
        var cur = start;
        var scale = 1f;
        while (true)
        {
            var users = g.DataConsumers(cur);
            if (users.Count != 1)
            {
                throw users.Count == 0 ? new ModelException($"{g.File.Path}: the projection '{cur}' is unused") : g.Error(users[0], "an attention projection branches before QKᵀ");
            }

            var n = users[0];
            if (n.OpType == "MatMul" && g.Const(n.Input[0]) is null && g.Const(n.Input[1]) is null)
            {
                return (n, n.Input[0] == cur ? 0 : 1, scale);
            }

            if (ImportWalker.LayoutOps.Contains(n.OpType))
            {
                g.Claim(n);
                cur = n.Output[0];
            }
            else if (n.OpType is "Div" or "Mul" && g.Scalar(n.Input[1]) is { } s)
            {
                g.Claim(n);
                scale *= n.OpType == "Div" ? 1f / s : s;
                cur = n.Output[0];
            }
            else
            {
                throw g.Error(n, "expected a head reshape/transpose between a projection and the attention MatMul");
            }
        }
    }

    private int HeadCount(string qOutput, int width, float scale)
    {
        // The reshape that splits heads: [batch, seq, heads, headDim] (constant, or a Concat of constants and shape values).
        var cur = qOutput;
        while (g.DataConsumers(cur) is [{ } n] && ImportWalker.LayoutOps.Contains(n.OpType))
        {
            if (n.OpType == "Reshape")
            {
                var dims = ShapeDims(n.Input[1]);
                if (dims is { Length: 4 })
                {
                    var (h, d) = (dims[2], dims[3]);
                    if (h > 0 && width % h == 0)
                    {
                        return (int)h;
                    }

                    if (d > 0 && width % d == 0)
                    {
                        return (int)(width / d);
                    }
                }
            }

            cur = n.Output[0];
        }

        // No readable shape: 1/√headDim is the BERT scale.
        var headDim = (int)Math.Round(1.0 / (scale * scale));
        if (headDim > 0 && width % headDim == 0)
        {
            return width / headDim;
        }

        throw new ModelException($"{g.File.Path}: cannot tell the number of attention heads (no constant head reshape and the score scale {scale} is not 1/√d)");
    }

    private long[]? ShapeDims(string name)
    {
        if (g.Const(name) is { } c)
        {
            return c.Values.Select(v => (long)v).ToArray();
        }

        if (g.Producer(name) is { OpType: "Concat" } concat)
        {
            return concat.Input.Select(i => g.Const(i) is { IsScalar: true } s ? (long)s.Values[0] : -1).ToArray();
        }

        return null;
    }

    private float MaskConstant(string mask)
    {
        // The additive mask must come from the graph inputs (the attention mask), not from the hidden state.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([mask]);
        var most = float.NaN;
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (!seen.Add(t))
            {
                continue;
            }

            if (g.Const(t) is { } c)
            {
                foreach (var v in c.Values.Take(16))
                {
                    if (v <= -1000f && (float.IsNaN(most) || v < most))
                    {
                        most = v;
                    }
                }

                continue;
            }

            if (g.Producer(t) is { } p)
            {
                if (p.OpType is "MatMul" or "Gemm" or "Softmax" or "LayerNormalization" or "ReduceMean")
                {
                    throw g.Error(p, "the term added to the attention scores depends on the hidden state; only an attention mask is supported");
                }

                if (p.OpType == "ConstantOfShape" && p.Attribute.FirstOrDefault()?.T is { } fill && fill.RawData.Length == 4)
                {
                    var v = BitConverter.ToSingle(fill.RawData.Span);
                    most = v <= -1000f ? v : most;
                }

                foreach (var i in p.Input.Where(i => i.Length > 0))
                {
                    stack.Push(i);
                }
            }
        }

        return most;
    }
}
