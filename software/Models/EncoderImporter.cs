using System.Collections.Immutable;
using HwGen.Software.Numerics.Transformer;
using Onnx;

namespace HwGen.Models;

/// <summary>
/// Recognizes a BERT-family encoder in an ONNX graph by its structure (never by node or initializer names):
/// word/position/token-type Gathers summed, per layer three projections meeting in QKᵀ and ·V around a Softmax,
/// an output projection, residual adds, LayerNorms (spelled out or fused), and an FFN whose activation evaluates to
/// GELU. Every node on the data path from the word embedding to the hidden-state output must be claimed by one of
/// these matchers; the first one that is not is reported as unsupported.
/// </summary>
public static class EncoderImporter
{
    private static readonly HashSet<string> LayoutOps = new(StringComparer.Ordinal) { "Reshape", "Transpose", "Identity", "Dropout", "Flatten", "Squeeze", "Unsqueeze" };

    private static readonly HashSet<string> KnownOps = new(StringComparer.Ordinal)
    {
        "Gather", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "ReduceMean", "MatMul", "Gemm", "Reshape", "Transpose", "Softmax",
        "Erf", "Tanh", "Unsqueeze", "Squeeze", "Concat", "Shape", "Size", "Cast", "Constant", "ConstantOfShape", "Slice", "Identity",
        "Dropout", "LayerNormalization", "Range", "Expand", "Where", "Equal", "Reciprocal", "Flatten", "Neg", "Gelu", "Not", "Less",
        "Greater", "CumSum", "Max", "Min", "Clip",
    };

    /// <summary>Imports a model file; <paramref name="name"/> names it in reports (default: the file name).</summary>
    /// <exception cref="ModelException">The file is unusable or the graph is not a supported encoder.</exception>
    public static ImportedModel Import(string path, string? name = null)
    {
        var file = OnnxFile.Open(path);
        return Import(file, name ?? System.IO.Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Imports an opened model file.</summary>
    public static ImportedModel Import(OnnxFile file, string name)
    {
        ArgumentNullException.ThrowIfNull(file);
        var g = new OnnxGraph(file);
        foreach (var n in g.Nodes)
        {
            if (!KnownOps.Contains(n.OpType) || (n.Domain.Length > 0 && n.Domain != "ai.onnx"))
            {
                throw g.Error(n, "this operator is not part of a BERT-family encoder the importer knows (see docs/models.md)");
            }
        }

        var m = new Matcher(g);
        return m.Run(name);
    }

    private sealed class Matcher(OnnxGraph g)
    {
        public ImportedModel Run(string name)
        {
            // 1. Embeddings: the word table is the largest constant 2-D table gathered by a graph input.
            var gathers = g.Nodes.Where(n => n.OpType == "Gather" && g.Const(n.Input[0]) is { Dims.Length: 2 } && g.Const(n.Input[1]) is null && !g.IsShapeNode(n)).ToList();
            if (gathers.Count == 0)
            {
                throw new ModelException($"{g.File.Path}: no embedding lookup found (a Gather from a constant [vocabulary, hidden] table by the token ids): not a BERT-family encoder");
            }

            var word = gathers.OrderByDescending(n => g.Const(n.Input[0])!.Dims[0]).First();
            var inputIds = RootInput(word.Input[1]);
            var wordTable = Matrix(word.Input[0]);
            var hidden = wordTable.Cols;
            g.Claim(word);
            FloatMatrix? position = null;
            FloatMatrix? tokenType = null;
            var cur = word.Output[0];
            while (g.DataConsumers(cur) is [{ OpType: "Add" } add])
            {
                var other = add.Input[0] == cur ? add.Input[1] : add.Input[0];
                g.Claim(add);
                foreach (var leaf in AddLeaves(other))
                {
                    if (g.Const(leaf) is { } c && c.Count == hidden)
                    {
                        tokenType = AddRow(tokenType, new FloatMatrix(1, hidden, c.Values));
                    }
                    else if (g.Producer(leaf) is { OpType: "Gather" } gather && g.Const(gather.Input[0]) is { Dims.Length: 2 } table && table.Dims[1] == hidden)
                    {
                        g.Claim(gather);
                        var m = Matrix(gather.Input[0]);
                        if (m.Rows >= 64)
                        {
                            position = position is null ? m : throw g.Error(gather, "a second position-sized embedding table");
                        }
                        else
                        {
                            tokenType = AddRow(tokenType, m);
                        }
                    }
                    else
                    {
                        throw g.Producer(leaf) is { } p ? g.Error(p, "expected a position or token-type embedding lookup added to the word embeddings") : new ModelException($"{g.File.Path}: the embedding sum adds '{leaf}', which is not an embedding lookup");
                    }
                }

                cur = add.Output[0];
            }

            if (position is null)
            {
                throw new ModelException($"{g.File.Path}: the word embeddings ({Describe(word)}) are never added to a position table: not a BERT-family encoder (or positions are computed in a way the importer does not know)");
            }

            LayerNormWeights? embNorm = null;
            if (!StartsPreNormLayer(cur) && TryLayerNorm(cur, out var en, out var enOut))
            {
                embNorm = en;
                cur = enOut;
            }

            cur = FollowLayout(cur);

            // 2. Layers. Pre-LN if the stream feeds a LayerNorm and a residual Add; post-LN if it feeds projections.
            var placement = StartsPreNormLayer(cur) ? NormPlacement.PreNorm : NormPlacement.PostNorm;
            var layers = ImmutableArray.CreateBuilder<EncoderLayer>();
            var maskValue = float.NaN;
            while (true)
            {
                var x = cur;
                if (placement == NormPlacement.PostNorm)
                {
                    if (Linears(x).Count < 3)
                    {
                        break;
                    }

                    var att = Attention(x, hidden);
                    maskValue = float.IsNaN(att.Mask) ? maskValue : att.Mask;
                    var r1 = ResidualAdd(att.Output, x);
                    var ln1 = LayerNormAt(r1, "the LayerNorm after the attention residual");
                    var (ffn1, gelu, ffn2, f) = Ffn(ln1.Output);
                    var r2 = ResidualAdd(f, ln1.Output);
                    var ln2 = LayerNormAt(r2, "the LayerNorm after the FFN residual");
                    layers.Add(new EncoderLayer(att.Heads, att.HeadDim, att.Scale, att.Q, att.K, att.V, att.O, ln1.Weights, ffn1, gelu, ffn2, ln2.Weights));
                    cur = FollowLayout(ln2.Output);
                }
                else
                {
                    if (!StartsPreNormLayer(x))
                    {
                        break;
                    }

                    var ln1 = LayerNormAt(x, "the LayerNorm before attention");
                    var att = Attention(ln1.Output, hidden);
                    maskValue = float.IsNaN(att.Mask) ? maskValue : att.Mask;
                    var r1 = ResidualAdd(att.Output, x);
                    var ln2 = LayerNormAt(r1, "the LayerNorm before the FFN");
                    var (ffn1, gelu, ffn2, f) = Ffn(ln2.Output);
                    var r2 = ResidualAdd(f, r1);
                    layers.Add(new EncoderLayer(att.Heads, att.HeadDim, att.Scale, att.Q, att.K, att.V, att.O, ln1.Weights, ffn1, gelu, ffn2, ln2.Weights));
                    cur = FollowLayout(r2);
                }
            }

            if (layers.Count == 0)
            {
                var first = g.DataConsumers(cur).FirstOrDefault();
                throw first is null
                    ? new ModelException($"{g.File.Path}: the embeddings feed no encoder layer")
                    : g.Error(first, "expected an encoder layer (three projections of the hidden state, or a LayerNorm before them)");
            }

            LayerNormWeights? finalNorm = null;
            if (TryLayerNorm(cur, out var fn, out var fnOut))
            {
                finalNorm = fn;
                cur = FollowLayout(fnOut);
            }

            // 3. The hidden-state output, then nothing unclaimed on the path to it.
            var outputs = g.File.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
            if (!outputs.Contains(cur))
            {
                var next = g.DataConsumers(cur).FirstOrDefault(n => !g.IsClaimed(n));
                throw next is null
                    ? new ModelException($"{g.File.Path}: the last encoder layer's output '{cur}' is not a graph output")
                    : g.Error(next, "expected the end of the encoder (the hidden-state output) here");
            }

            CheckEverythingClaimed(word, cur);
            var attentionMask = g.File.Graph.Input.Select(i => i.Name).FirstOrDefault(n => n != inputIds && n.Contains("mask", StringComparison.OrdinalIgnoreCase));
            var tokenTypeInput = g.File.Graph.Input.Select(i => i.Name).FirstOrDefault(n => n != inputIds && n != attentionMask && g.File.Initializer(n) is null && n.Contains("type", StringComparison.OrdinalIgnoreCase));
            var model = new EncoderModel(
                name,
                new EmbeddingWeights(wordTable, position, tokenType, embNorm),
                layers.ToImmutable(),
                placement,
                finalNorm,
                Pooling.Mean,
                maskValue,
                g.File.Opset);
            return new ImportedModel(model, g.File.Path, inputIds, attentionMask, tokenTypeInput, cur);
        }

        private string RootInput(string name)
        {
            var cur = name;
            while (g.Producer(cur) is { OpType: "Cast" or "Identity" or "Unsqueeze" or "Squeeze" or "Reshape" } p)
            {
                g.Claim(p);
                cur = p.Input[0];
            }

            if (!g.File.Graph.Input.Any(i => i.Name == cur))
            {
                throw new ModelException($"{g.File.Path}: the word embeddings are gathered by '{cur}', which is not a graph input (the token ids)");
            }

            return cur;
        }

        private IEnumerable<string> AddLeaves(string name)
        {
            if (g.Const(name) is null && g.Producer(name) is { OpType: "Add" } a)
            {
                g.Claim(a);
                return AddLeaves(a.Input[0]).Concat(AddLeaves(a.Input[1]));
            }

            return [name];
        }

        private static FloatMatrix AddRow(FloatMatrix? table, FloatMatrix rows)
        {
            if (table is null)
            {
                return rows;
            }

            // Two folded token-type constants: sum them row 0 with row 0 (only type 0 is used by sentences).
            var sum = table.Row(0).ToArray();
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += rows[0, i];
            }

            return FloatMatrix.Vector(sum);
        }

        private FloatMatrix Matrix(string name)
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

        private FloatMatrix Vector(string name, int width, NodeProto at)
        {
            var c = g.Const(name);
            if (c is null || c.Count != width)
            {
                throw g.Error(at, $"expected a constant vector of {width} values");
            }

            return FloatMatrix.Vector(c.Values);
        }

        private string FollowLayout(string name)
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

        private string FollowLayoutBack(string name)
        {
            var cur = name;
            while (g.Producer(cur) is { } p && LayoutOps.Contains(p.OpType))
            {
                g.Claim(p);
                cur = p.Input[0];
            }

            return cur;
        }

        private bool StartsPreNormLayer(string x)
        {
            var consumers = g.DataConsumers(x);
            var hasNorm = consumers.Any(c => c.OpType == "LayerNormalization") || (consumers.Any(c => c.OpType == "ReduceMean") && consumers.Any(c => c.OpType == "Sub"));
            var hasAdd = consumers.Any(c => c.OpType == "Add");
            return hasNorm && hasAdd;
        }

        private string ResidualAdd(string a, string b)
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

        private (LayerNormWeights Weights, string Output) LayerNormAt(string x, string what)
        {
            if (TryLayerNorm(x, out var w, out var output))
            {
                return (w, output);
            }

            var first = g.DataConsumers(x).FirstOrDefault();
            throw first is null ? new ModelException($"{g.File.Path}: expected {what} after '{x}'") : g.Error(first, $"expected {what}");
        }

        private bool TryLayerNorm(string x, out LayerNormWeights weights, out string output)
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
                var gamma = Vector(fused.Input[1], width, fused);
                var beta = fused.Input.Count > 2 && fused.Input[2].Length > 0 ? Vector(fused.Input[2], width, fused) : FloatMatrix.Vector(new float[width]);
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

        /// <summary>The dense projections that read <paramref name="x"/> (directly or through a reshape for Gemm).</summary>
        private List<(LinearWeights Weights, string Output, NodeProto First)> Linears(string x)
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
                var w = Matrix(n.Input[1]);
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

                var w = Matrix(n.Input[1]);
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

        private (LinearWeights Q, LinearWeights K, LinearWeights V, LinearWeights O, int Heads, int HeadDim, float Scale, float Mask, string Output) Attention(string x, int hidden)
        {
            var linears = Linears(x);
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
                if (LayoutOps.Contains(n.OpType))
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

            cur = FollowLayout(cur);
            var context = g.DataConsumers(cur).FirstOrDefault(c => c == v.Target.Node && c.Input[0] == cur)
                ?? throw g.Error(g.DataConsumers(cur).FirstOrDefault() ?? softmax, "expected the probabilities·V MatMul after Softmax");
            g.Claim(context);
            var merged = FollowLayout(context.Output[0]);
            var outputs = Linears(merged);
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

                if (LayoutOps.Contains(n.OpType))
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
            while (g.DataConsumers(cur) is [{ } n] && LayoutOps.Contains(n.OpType))
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

        private (LinearWeights Ffn1, GeluForm Gelu, LinearWeights Ffn2, string Output) Ffn(string x)
        {
            var first = Linears(x);
            if (first.Count != 1)
            {
                throw g.Error(g.DataConsumers(x).FirstOrDefault() ?? g.Producer(x)!, $"expected one FFN projection of the normalized hidden state, found {first.Count}");
            }

            var ffn1 = first[0];
            var gStart = FollowLayout(ffn1.Output);
            var (form, gEnd) = Gelu(gStart);
            var second = Linears(gEnd);
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

        private void CheckEverythingClaimed(NodeProto word, string output)
        {
            // Descendants of the word lookup...
            var down = new HashSet<string>(StringComparer.Ordinal) { word.Output[0] };
            var downNodes = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
            foreach (var n in g.Nodes)
            {
                if (n.Input.Any(down.Contains) && !g.IsShapeNode(n) && n.OpType is not ("Shape" or "Size"))
                {
                    downNodes.Add(n);
                    foreach (var o in n.Output)
                    {
                        down.Add(o);
                    }
                }
            }

            // ...that are ancestors of the hidden-state output through data inputs.
            var up = new HashSet<string>(StringComparer.Ordinal) { output };
            foreach (var n in g.Nodes.Reverse())
            {
                if (!n.Output.Any(up.Contains) || !downNodes.Contains(n))
                {
                    continue;
                }

                if (!g.IsClaimed(n))
                {
                    throw g.Error(n, "this node sits on the encoder's data path but is not part of any pattern the importer knows");
                }

                foreach (var i in n.Input.Where(i => i.Length > 0 && !g.IsShapeValue(i)))
                {
                    up.Add(i);
                }
            }
        }

        private static string Describe(NodeProto n) => OnnxGraph.Describe(n);
    }
}
