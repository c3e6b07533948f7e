using Google.Protobuf;
using Onnx;

namespace HwGen.Tests.Models;

/// <summary>How a synthetic encoder is spelled in ONNX (the exporter variations the importer must see through).</summary>
/// <param name="SplitScale">Scale Q and K each by d^-¼ before QKᵀ (newer PyTorch exports) instead of the scores.</param>
/// <param name="PositionInput">Position ids are a graph input instead of a Range over the ids' shape.</param>
public sealed record BertSpelling(bool FusedLayerNorm, bool TanhGelu, bool Gemm, bool PreNorm, float MaskValue, bool ScaleByMul, int Opset, bool SplitScale = false, bool PositionInput = false)
{
    public override string ToString() =>
        $"{(FusedLayerNorm ? "fusedLN" : "spelledLN")}-{(TanhGelu ? "tanh" : "erf")}-{(Gemm ? "gemm" : "matmul")}-{(PreNorm ? "pre" : "post")}-opset{Opset}{(SplitScale ? "-splitscale" : "")}{(PositionInput ? "-posinput" : "")}";
}

/// <summary>
/// Writes small BERT-family ONNX graphs with random weights, for importer tests that compare against ONNX Runtime
/// running the same file. Tensor and node names are meaningless ("t12"), so only structure can identify them.
/// </summary>
public sealed class SyntheticBert
{
    public const int Vocab = 100;
    public const int Positions = 64;
    public const int Hidden = 16;
    public const int Heads = 2;
    public const int Ffn = 40;
    public const int Layers = 2;

    private readonly GraphProto graph = new() { Name = "g" };
    private readonly Random rng;
    private readonly BertSpelling spelling;
    private int counter;

    private SyntheticBert(BertSpelling spelling, int seed)
    {
        this.spelling = spelling;
        rng = new Random(seed);
    }

    /// <summary>Builds the model; <paramref name="mutate"/> may change it before serialization (for bad-file tests).</summary>
    public static ModelProto Build(BertSpelling spelling, int seed = 1, Action<GraphProto>? mutate = null)
    {
        var b = new SyntheticBert(spelling, seed);
        b.Encoder();
        mutate?.Invoke(b.graph);
        var model = new ModelProto { IrVersion = 8, ProducerName = "hwgen-tests", Graph = b.graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = spelling.Opset });
        return model;
    }

    /// <summary>Writes the model to <paramref name="path"/>.</summary>
    public static void Write(string path, ModelProto model) => File.WriteAllBytes(path, model.ToByteArray());

    private void Encoder()
    {
        graph.Input.Add(Input("input_ids"));
        graph.Input.Add(Input("attention_mask"));
        graph.Input.Add(Input("token_type_ids"));

        // Positions 0..S-1 from the ids' shape, or given as an input.
        string positionIds;
        if (spelling.PositionInput)
        {
            graph.Input.Add(Input("position_ids"));
            positionIds = "position_ids";
        }
        else
        {
            var shape = Node("Shape", ["input_ids"]);
            var length = Node("Gather", [shape, I64([1])], Int("axis", 0));
            var range = Node("Range", [I64([0], scalar: true), Node("Squeeze", Squeezable(length)), I64([1], scalar: true)]);
            positionIds = Unsqueeze(range, [0]);
        }

        var word = Node("Gather", [Init(Random(Vocab * Hidden, 0.5f), Vocab, Hidden), "input_ids"]);
        var pos = Node("Gather", [Init(Random(Positions * Hidden, 0.2f), Positions, Hidden), positionIds]);
        var type = Node("Gather", [Init(Random(2 * Hidden, 0.2f), 2, Hidden), "token_type_ids"]);
        var x = Node("Add", [Node("Add", [word, type]), pos]);
        if (!spelling.PreNorm)
        {
            x = LayerNorm(x);
        }

        // Additive mask (1 - mask) * value, broadcast over heads and query rows.
        var m = Node("Cast", [Unsqueeze(Unsqueeze("attention_mask", [1]), [2])], Int("to", 1));
        var mask = Node("Mul", [Node("Sub", [F(1f), m]), F(spelling.MaskValue)]);

        for (var l = 0; l < Layers; l++)
        {
            if (spelling.PreNorm)
            {
                var a = Attention(LayerNorm(x), mask);
                var r = Node("Add", [a, x]);
                x = Node("Add", [FfnBlock(LayerNorm(r)), r]);
            }
            else
            {
                var a = LayerNorm(Node("Add", [Attention(x, mask), x]));
                x = LayerNorm(Node("Add", [FfnBlock(a), a]));
            }
        }

        if (spelling.PreNorm)
        {
            x = LayerNorm(x);
        }

        graph.Node.Add(new NodeProto { OpType = "Identity", Name = "n_out", Input = { x }, Output = { "last_hidden_state" } });
        graph.Output.Add(new ValueInfoProto { Name = "last_hidden_state", Type = FloatType() });
    }

    private string[] Squeezable(string x) => spelling.Opset >= 13 ? [x] : [x];

    private string Attention(string x, string mask)
    {
        var d = Hidden / Heads;
        string Split(string t, bool keyT) =>
            Node("Transpose", [Node("Reshape", [t, I64([0, -1, Heads, d])])], Ints("perm", keyT ? [0, 2, 3, 1] : [0, 2, 1, 3]));
        var q = Split(Linear(x, Hidden, Hidden), false);
        var k = Split(Linear(x, Hidden, Hidden), true);
        var v = Split(Linear(x, Hidden, Hidden), false);
        if (spelling.SplitScale)
        {
            var quarter = F(MathF.Pow(d, -0.25f));
            q = Node("Mul", [q, quarter]);
            k = Node("Mul", [k, quarter]);
        }

        var scores = Node("MatMul", [q, k]);
        if (!spelling.SplitScale)
        {
            scores = spelling.ScaleByMul ? Node("Mul", [scores, F(1f / MathF.Sqrt(d))]) : Node("Div", [scores, F(MathF.Sqrt(d))]);
        }

        var probs = Node("Softmax", [Node("Add", [scores, mask])], Int("axis", -1));
        var ctx = Node("MatMul", [probs, v]);
        var merged = Node("Reshape", [Node("Transpose", [ctx], Ints("perm", [0, 2, 1, 3])), I64([0, -1, Hidden])]);
        return Linear(merged, Hidden, Hidden);
    }

    private string FfnBlock(string x)
    {
        var h = Linear(x, Hidden, Ffn);
        string g;
        if (spelling.TanhGelu)
        {
            var cube = Node("Pow", [h, F(3f)]);
            var inner = Node("Mul", [Node("Add", [h, Node("Mul", [cube, F(0.044715f)])]), F(MathF.Sqrt(2f / MathF.PI))]);
            g = Node("Mul", [Node("Mul", [h, F(0.5f)]), Node("Add", [Node("Tanh", [inner]), F(1f)])]);
        }
        else
        {
            var erf = Node("Erf", [Node("Div", [h, F(1.4142135f)])]);
            g = Node("Mul", [Node("Mul", [h, Node("Add", [erf, F(1f)])]), F(0.5f)]);
        }

        return Linear(g, Ffn, Hidden);
    }

    private string Linear(string x, int inW, int outW)
    {
        var w = Random(inW * outW, 1f / MathF.Sqrt(inW));
        var b = Random(outW, 0.1f);
        if (!spelling.Gemm)
        {
            return Node("Add", [Init(b, outW), Node("MatMul", [x, Init(w, inW, outW)])]);
        }

        // Gemm on 2-D with the weight stored [out, in] (transB = 1), reshaped back to [1, S, out].
        var wt = new float[w.Length];
        for (var r = 0; r < inW; r++)
        {
            for (var c = 0; c < outW; c++)
            {
                wt[(c * inW) + r] = w[(r * outW) + c];
            }
        }

        var flat = Node("Reshape", [x, I64([-1, inW])]);
        var y = Node("Gemm", [flat, Init(wt, outW, inW), Init(b, outW)], Int("transB", 1));
        return Node("Reshape", [y, I64([1, -1, outW])]);
    }

    private string LayerNorm(string x)
    {
        var gamma = Init(Random(Hidden, 0.3f).Select(v => 1f + v).ToArray(), Hidden);
        var beta = Init(Random(Hidden, 0.1f), Hidden);
        if (spelling.FusedLayerNorm)
        {
            return Node("LayerNormalization", [x, gamma, beta], Int("axis", -1), Float("epsilon", 1e-12f));
        }

        var mean = ReduceMean(x);
        var dev = Node("Sub", [x, mean]);
        var variance = ReduceMean(Node("Pow", [dev, F(2f)]));
        var std = Node("Sqrt", [Node("Add", [variance, F(1e-12f)])]);
        return Node("Add", [Node("Mul", [Node("Div", [dev, std]), gamma]), beta]);
    }

    private string ReduceMean(string x) => Node("ReduceMean", [x], Ints("axes", [-1]), Int("keepdims", 1));

    private string Unsqueeze(string x, long[] axes) =>
        spelling.Opset >= 13 ? Node("Unsqueeze", [x, I64(axes)]) : Node("Unsqueeze", [x], Ints("axes", axes));

    private float[] Random(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(((rng.NextDouble() * 2) - 1) * scale)).ToArray();

    private string Name() => "t" + (++counter).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string Node(string op, string[] inputs, params AttributeProto[] attributes)
    {
        var output = Name();
        var n = new NodeProto { OpType = op, Name = "n" + output };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        n.Attribute.AddRange(attributes);
        graph.Node.Add(n);
        return output;
    }

    private string Init(float[] values, params long[] dims)
    {
        var name = Name();
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(values.SelectMany(BitConverter.GetBytes).ToArray()) };
        t.Dims.AddRange(dims);
        graph.Initializer.Add(t);
        return name;
    }

    private string F(float value) => Init([value]);

    private string I64(long[] values, bool scalar = false)
    {
        var name = Name();
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Int64Data.AddRange(values);
        if (!scalar)
        {
            t.Dims.Add(values.Length);
        }

        graph.Initializer.Add(t);
        return name;
    }

    private static AttributeProto Int(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };

    private static AttributeProto Float(string name, float v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = v };

    private static AttributeProto Ints(string name, long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(v);
        return a;
    }

    private static ValueInfoProto Input(string name)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "seq" });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Int64, Shape = shape } } };
    }

    private static TypeProto FloatType() => new() { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } };
}
