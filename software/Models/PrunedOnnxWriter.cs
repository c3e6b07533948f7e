using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace HwGen.Models;

/// <summary>
/// Writes a pruned encoder as an ONNX file (docs/pruning.md): the original graph with, in every layer the masks change,
/// the Q/K/V weight columns and biases of the kept heads, the output projection's rows of the kept heads, the FFN1
/// columns and bias and the FFN2 rows of the kept filters, and the head-split and head-merge Reshape shapes set to the
/// kept head count and attention width. Weights are found by their values (the imported [in, out] matrices), so the
/// writer handles graphs whose projections are MatMuls by initializers, as MiniLM's export; others are refused.
/// </summary>
public static class PrunedOnnxWriter
{
    /// <summary>Writes <paramref name="masks"/> applied to the model in <paramref name="imported"/> to <paramref name="output"/>.</summary>
    /// <returns>The pruned model (as <see cref="PruneMasks.Apply"/> gives it).</returns>
    /// <exception cref="ModelException">The file's projections cannot be located, or a head reshape has an unexpected shape.</exception>
    public static EncoderModel Write(ImportedModel imported, PruneMasks masks, string masksName, string output)
    {
        ArgumentNullException.ThrowIfNull(imported);
        ArgumentNullException.ThrowIfNull(masks);
        var original = imported.Model;
        var pruned = masks.Apply(original, masksName);
        var file = OnnxFile.Open(imported.Path);
        var g = new OnnxGraph(file);
        var model = file.Model.Clone();
        var graph = model.Graph;
        var inits = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var floats = inits.Values.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float).ToList();

        for (var i = 0; i < original.Layers.Length; i++)
        {
            var (a, b) = (original.Layers[i], pruned.Layers[i]);
            if (ReferenceEquals(a, b))
            {
                continue;
            }

            var where = string.Create(CultureInfo.InvariantCulture, $"{file.Path}: layer {i}");
            string Find(FloatMatrix m, string what)
            {
                var hits = floats.Where(t => file.Initializer(t.Name)!.Dims.Aggregate(1L, (p, d) => p * d) == m.Data.Length && g.Const(t.Name) is { } c && c.Values.AsSpan().SequenceEqual(m.Data)).ToList();
                return hits.Count == 1 ? hits[0].Name
                    : throw new ModelException($"{where}: {(hits.Count == 0 ? "no" : hits.Count.ToString(CultureInfo.InvariantCulture))} initializers hold the {what} as stored [in, out]; the ONNX writer needs MatMul projections by their own initializers");
            }

            void Replace(FloatMatrix from, FloatMatrix to, string what, bool vector)
            {
                var name = Find(from, what);
                var users = graph.Node.Count(n => n.Input.Contains(name));
                if (users != 1 || (!vector && MatMulOf(g, name, where) is null))
                {
                    throw new ModelException($"{where}: the {what} initializer '{name}' is read by {users} nodes; the ONNX writer slices only a projection's own initializer");
                }

                var t = inits[name];
                var dims = vector ? t.Dims.Take(t.Dims.Count - 1).Append(to.Data.Length).ToArray() : [to.Rows, to.Cols];
                SetFloats(t, dims, to.Data.ToArray());
            }

            Replace(a.Query.Weight, b.Query.Weight, "Q weight", false);
            Replace(a.Key.Weight, b.Key.Weight, "K weight", false);
            Replace(a.Value.Weight, b.Value.Weight, "V weight", false);
            Replace(a.Output.Weight, b.Output.Weight, "output projection weight", false);
            Replace(a.Ffn1.Weight, b.Ffn1.Weight, "FFN1 weight", false);
            Replace(a.Ffn2.Weight, b.Ffn2.Weight, "FFN2 weight", false);
            var qkvMatMuls = new[] { a.Query, a.Key, a.Value }.Select(l => MatMulOf(g, Find(l.Weight, "Q/K/V weight"), where)).ToList();
            if (a.Heads != b.Heads)
            {
                Replace(a.Query.Bias, b.Query.Bias, "Q bias", true);
                Replace(a.Key.Bias, b.Key.Bias, "K bias", true);
                Replace(a.Value.Bias, b.Value.Bias, "V bias", true);
                foreach (var m in qkvMatMuls)
                {
                    SetReshape(g, graph, inits, SplitReshape(g, m, where), where, s => s.Length >= 2 && s[^2] == a.Heads && s[^1] == a.HeadDim, s => s[^2] = b.Heads, $"[..., {a.Heads}, {a.HeadDim}]");
                }

                var oMatMul = MatMulOf(g, Find(a.Output.Weight, "output projection weight"), where);
                SetReshape(g, graph, inits, MergeReshape(g, oMatMul, where), where, s => s.Length >= 1 && (s[^1] == a.AttentionWidth || s[^1] == -1 || s[^1] == 0), s => s[^1] = s[^1] == a.AttentionWidth ? b.AttentionWidth : s[^1], $"[..., {a.AttentionWidth}]");
            }

            if (a.FfnWidth != b.FfnWidth)
            {
                Replace(a.Ffn1.Bias, b.Ffn1.Bias, "FFN1 bias", true);
            }
        }

        graph.ValueInfo.Clear(); // intermediate shapes of the unpruned graph no longer hold
        foreach (var t in graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            var bytes = file.ReadExternal(t);
            t.ExternalData.Clear();
            t.DataLocation = TensorProto.Types.DataLocation.Default;
            t.RawData = ByteString.CopyFrom(bytes);
        }

        var full = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        using (var stream = File.Create(full))
        {
            model.WriteTo(stream);
        }

        return pruned;
    }

    private static void SetFloats(TensorProto t, long[] dims, float[] values)
    {
        t.Dims.Clear();
        t.Dims.AddRange(dims);
        t.FloatData.Clear();
        t.ExternalData.Clear();
        t.DataLocation = TensorProto.Types.DataLocation.Default;
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static NodeProto MatMulOf(OnnxGraph g, string weight, string where) =>
        g.Nodes.FirstOrDefault(n => n.OpType == "MatMul" && n.Input.Count == 2 && n.Input[1] == weight)
        ?? throw new ModelException($"{where}: initializer '{weight}' is not the right operand of a MatMul; the ONNX writer needs MatMul projections");

    /// <summary>The Reshape after a Q/K/V projection (past its bias Add) that splits the heads.</summary>
    private static NodeProto SplitReshape(OnnxGraph g, NodeProto matmul, string where)
    {
        var cur = matmul.Output[0];
        for (var step = 0; step < 4; step++)
        {
            switch (g.DataConsumers(cur))
            {
                case [{ OpType: "Reshape" } r]:
                    return r;
                case [{ OpType: "Add" or "Div" or "Mul" } n]:
                    cur = n.Output[0];
                    break;
                default:
                    step = 4;
                    break;
            }
        }

        throw new ModelException($"{where}: no head-splitting Reshape after the projection '{matmul.Name}'");
    }

    /// <summary>The Reshape before the output projection that merges the heads.</summary>
    private static NodeProto MergeReshape(OnnxGraph g, NodeProto matmul, string where)
    {
        var cur = g.Producer(matmul.Input[0]);
        while (cur is { OpType: "Transpose" or "Identity" })
        {
            cur = g.Producer(cur.Input[0]);
        }

        return cur is { OpType: "Reshape" } ? cur : throw new ModelException($"{where}: no head-merging Reshape before the output projection '{matmul.Name}'");
    }

    /// <summary>
    /// Points the Reshape at a new shape: a fresh int64 initializer for a constant shape, or a fresh Concat of the
    /// same inputs with the changed constant parts replaced (shape values from Shape/Gather count one element each).
    /// </summary>
    private static void SetReshape(OnnxGraph g, GraphProto graph, Dictionary<string, TensorProto> inits, NodeProto reshape, string where, Func<long[], bool> fits, Action<long[]> change, string expected)
    {
        var node = graph.Node.Single(n => n.Name == reshape.Name && n.Output[0] == reshape.Output[0]);
        var shapeName = reshape.Input[1];
        if (g.Const(shapeName) is { } c)
        {
            var s = c.Values.Select(v => (long)v).ToArray();
            if (!fits(s))
            {
                throw new ModelException($"{where}: Reshape '{reshape.Name}' has shape [{string.Join(", ", s)}], expected {expected}");
            }

            change(s);
            node.Input[1] = AddInt64(graph, inits, $"{reshape.Name}_pruned_shape", s);
            return;
        }

        if (g.Producer(shapeName) is not { OpType: "Concat" } concat)
        {
            throw new ModelException($"{where}: Reshape '{reshape.Name}' takes its shape from neither a constant nor a Concat; the ONNX writer cannot set its head count");
        }

        var parts = concat.Input.Select(i => g.Const(i) is { } v ? v.Values.Select(x => (long)x).ToArray() : null).ToList();
        var flat = parts.SelectMany(p => p ?? [long.MinValue]).ToArray();
        if (!fits(flat))
        {
            throw new ModelException($"{where}: Reshape '{reshape.Name}' has shape [{string.Join(", ", flat.Select(v => v == long.MinValue ? "?" : v.ToString(CultureInfo.InvariantCulture)))}], expected {expected}");
        }

        change(flat);
        var clone = concat.Clone();
        clone.Name = $"{concat.Name}_pruned_{reshape.Name}";
        clone.Output[0] = $"{concat.Output[0]}_pruned_{reshape.Name}";
        var at = 0;
        for (var k = 0; k < parts.Count; k++)
        {
            var len = parts[k]?.Length ?? 1;
            if (parts[k] is { } p && !p.AsSpan().SequenceEqual(flat.AsSpan(at, len)))
            {
                clone.Input[k] = AddInt64(graph, inits, $"{clone.Name}_{k}", flat[at..(at + len)]);
            }

            at += len;
        }

        var index = graph.Node.IndexOf(node);
        graph.Node.Insert(index, clone);
        node.Input[1] = clone.Output[0];
    }

    private static string AddInt64(GraphProto graph, Dictionary<string, TensorProto> inits, string name, long[] values)
    {
        while (inits.ContainsKey(name))
        {
            name += "_";
        }

        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.Add(values.Length);
        graph.Initializer.Add(t);
        inits[name] = t;
        return name;
    }
}
