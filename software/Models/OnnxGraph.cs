using System.Runtime.InteropServices;
using Onnx;

namespace HwGen.Models;

/// <summary>
/// An index over a checked ONNX graph for structural matching: producers, data consumers, constants (with a little
/// folding of Constant/Identity/Cast/Transpose/Unsqueeze/Squeeze and scalar arithmetic), and the set of nodes a matcher
/// has claimed, so that anything left over on the data path can be reported as unsupported.
/// </summary>
internal sealed class OnnxGraph
{
    private static readonly HashSet<string> ShapeOps = new(StringComparer.Ordinal) { "Shape", "Size" };

    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConstTensor?> constants = new(StringComparer.Ordinal);
    private readonly HashSet<NodeProto> claimed = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> shapeValues = new(StringComparer.Ordinal);

    public OnnxGraph(OnnxFile file)
    {
        File = file;
        foreach (var n in file.Graph.Node)
        {
            foreach (var o in n.Output)
            {
                producers[o] = n;
            }

            foreach (var i in n.Input.Where(i => i.Length > 0))
            {
                if (!consumers.TryGetValue(i, out var list))
                {
                    consumers[i] = list = [];
                }

                list.Add(n);
            }
        }

        // Shape arithmetic: outputs of Shape/Size and of any node all of whose non-constant inputs are shape values.
        foreach (var n in file.Graph.Node)
        {
            var dynamicInputs = n.Input.Where(i => i.Length > 0 && Const(i) is null).ToList();
            if (ShapeOps.Contains(n.OpType) || (dynamicInputs.Count > 0 && dynamicInputs.All(shapeValues.Contains)) || (n.OpType is "Constant" or "ConstantOfShape" or "Range" && dynamicInputs.All(shapeValues.Contains)))
            {
                foreach (var o in n.Output)
                {
                    shapeValues.Add(o);
                }
            }
        }
    }

    public OnnxFile File { get; }

    public IReadOnlyList<NodeProto> Nodes => File.Graph.Node;

    public NodeProto? Producer(string name) => producers.GetValueOrDefault(name);

    /// <summary>Consumers that use the value as data (not only its shape).</summary>
    public IReadOnlyList<NodeProto> DataConsumers(string name) =>
        consumers.TryGetValue(name, out var list) ? list.Where(c => !ShapeOps.Contains(c.OpType)).ToList() : [];

    public bool IsShapeValue(string name) => shapeValues.Contains(name);

    public bool IsShapeNode(NodeProto n) => n.Output.Count > 0 && n.Output.All(shapeValues.Contains);

    public void Claim(NodeProto n) => claimed.Add(n);

    public bool IsClaimed(NodeProto n) => claimed.Contains(n);

    public ModelException Error(NodeProto n, string why) =>
        new($"{File.Path}: unsupported node '{n.Name}' (op {n.OpType}): {why}");

    public static string Describe(NodeProto n) => $"'{n.Name}' (op {n.OpType})";

    /// <summary>The constant value of a tensor name, or null when it depends on the inputs.</summary>
    public ConstTensor? Const(string name)
    {
        if (constants.TryGetValue(name, out var cached))
        {
            return cached;
        }

        constants[name] = null; // guards cycles in malformed graphs
        var value = Evaluate(name);
        constants[name] = value;
        return value;
    }

    /// <summary>The float value of a scalar constant (any shape with one element), or null.</summary>
    public float? Scalar(string name) => Const(name) is { IsScalar: true } c ? c.Values[0] : null;

    public static long IntAttribute(NodeProto n, string name, long fallback) =>
        n.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    public static float FloatAttribute(NodeProto n, string name, float fallback) =>
        n.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;

    public static long[]? IntsAttribute(NodeProto n, string name) =>
        n.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.Ints.ToArray() : null;

    private ConstTensor? Evaluate(string name)
    {
        if (File.Initializer(name) is { } init)
        {
            return Decode(init, $"initializer '{name}'");
        }

        if (Producer(name) is not { } n)
        {
            return null;
        }

        switch (n.OpType)
        {
            case "Constant":
                var a = n.Attribute.FirstOrDefault();
                if (a is null)
                {
                    return null;
                }

                return a.Name switch
                {
                    "value" => Decode(a.T, $"constant '{n.Name}'"),
                    "value_float" => new ConstTensor([], [a.F]),
                    "value_int" => new ConstTensor([], [a.I]),
                    "value_floats" => new ConstTensor([a.Floats.Count], a.Floats.ToArray()),
                    "value_ints" => new ConstTensor([a.Ints.Count], a.Ints.Select(v => (float)v).ToArray()),
                    _ => null,
                };
            case "Identity" or "Cast":
                return Const(n.Input[0]);
            case "Unsqueeze" or "Squeeze" or "Reshape":
                return Const(n.Input[0]) is { } u && (n.OpType != "Reshape" || Const(n.Input[1]) is { } shape && shape.Values.All(v => v > 0))
                    ? u with { Dims = n.OpType == "Reshape" ? Const(n.Input[1])!.Values.Select(v => (long)v).ToArray() : [u.Count] }
                    : null;
            case "Transpose":
                if (Const(n.Input[0]) is { Dims.Length: 2 } t)
                {
                    var rows = (int)t.Dims[0];
                    var cols = (int)t.Dims[1];
                    var v = new float[t.Values.Length];
                    for (var r = 0; r < rows; r++)
                    {
                        for (var c = 0; c < cols; c++)
                        {
                            v[(c * rows) + r] = t.Values[(r * cols) + c];
                        }
                    }

                    return new ConstTensor([cols, rows], v);
                }

                return null;
            case "Sqrt" or "Neg" or "Reciprocal":
                return Const(n.Input[0]) is { IsScalar: true } s
                    ? new ConstTensor(s.Dims, [n.OpType switch { "Sqrt" => MathF.Sqrt(s.Values[0]), "Neg" => -s.Values[0], _ => 1f / s.Values[0] }])
                    : null;
            case "Add" or "Sub" or "Mul" or "Div":
                if (Const(n.Input[0]) is { IsScalar: true } x && Const(n.Input[1]) is { IsScalar: true } y)
                {
                    var (p, q) = (x.Values[0], y.Values[0]);
                    return new ConstTensor([], [n.OpType switch { "Add" => p + q, "Sub" => p - q, "Mul" => p * q, _ => p / q }]);
                }

                return null;
            default:
                return null;
        }
    }

    private ConstTensor Decode(TensorProto t, string what)
    {
        var count = OnnxFile.ElementCount(File.Path, t, what);
        var dims = t.Dims.ToArray();
        var raw = t.DataLocation == TensorProto.Types.DataLocation.External ? File.ReadExternal(t) : (t.RawData.Length > 0 ? t.RawData.ToByteArray() : null);
        float[] values = (TensorProto.Types.DataType)t.DataType switch
        {
            TensorProto.Types.DataType.Float => raw is null ? t.FloatData.ToArray() : MemoryMarshal.Cast<byte, float>(raw).ToArray(),
            TensorProto.Types.DataType.Double => (raw is null ? t.DoubleData.ToArray() : MemoryMarshal.Cast<byte, double>(raw).ToArray()).Select(v => (float)v).ToArray(),
            TensorProto.Types.DataType.Int64 => (raw is null ? t.Int64Data.ToArray() : MemoryMarshal.Cast<byte, long>(raw).ToArray()).Select(v => (float)v).ToArray(),
            TensorProto.Types.DataType.Int32 => (raw is null ? t.Int32Data.ToArray() : MemoryMarshal.Cast<byte, int>(raw).ToArray()).Select(v => (float)v).ToArray(),
            TensorProto.Types.DataType.Bool => (raw is null ? t.Int32Data.Select(v => (byte)v).ToArray() : raw).Select(v => (float)v).ToArray(),
            _ => throw new ModelException($"{File.Path}: {what} has element type {(TensorProto.Types.DataType)t.DataType}, which the importer cannot read (float32 weights expected)"),
        };
        if (values.LongLength != count)
        {
            throw new ModelException($"{File.Path}: {what} declares {count} elements but holds {values.Length}");
        }

        return new ConstTensor(dims, values);
    }
}
