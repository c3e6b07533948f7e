using System.Collections.Immutable;
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

        return Match(g, name);
    }

    private static ImportedModel Match(OnnxGraph g, string name)
    {
        var walk = new ImportWalker(g);
        var norms = new LayerNormMatcher(g, walk);
        var projections = new LinearMatcher(g, walk);
        var attention = new AttentionMatcher(g, walk, projections);
        var ffn = new FfnMatcher(g, walk, projections);

        // 1. Embeddings, then their LayerNorm unless the stream goes straight into a pre-LN layer.
        var (word, inputIds, wordTable, position, tokenType, cur) = new EmbeddingMatcher(g, walk).Match();
        var hidden = wordTable.Cols;
        LayerNormWeights? embNorm = null;
        if (!norms.StartsPreNormLayer(cur) && norms.TryLayerNorm(cur, out var en, out var enOut))
        {
            embNorm = en;
            cur = enOut;
        }

        cur = walk.FollowLayout(cur);

        // 2. Layers. Pre-LN if the stream feeds a LayerNorm and a residual Add; post-LN if it feeds projections.
        var placement = norms.StartsPreNormLayer(cur) ? NormPlacement.PreNorm : NormPlacement.PostNorm;
        var layers = ImmutableArray.CreateBuilder<EncoderLayer>();
        var maskValue = float.NaN;
        while (true)
        {
            var x = cur;
            if (placement == NormPlacement.PostNorm)
            {
                if (projections.Linears(x).Count < 3)
                {
                    break;
                }

                var att = attention.Attention(x, hidden);
                maskValue = float.IsNaN(att.Mask) ? maskValue : att.Mask;
                var r1 = walk.ResidualAdd(att.Output, x);
                var ln1 = norms.LayerNormAt(r1, "the LayerNorm after the attention residual");
                var (ffn1, gelu, ffn2, f) = ffn.Ffn(ln1.Output);
                var r2 = walk.ResidualAdd(f, ln1.Output);
                var ln2 = norms.LayerNormAt(r2, "the LayerNorm after the FFN residual");
                layers.Add(new EncoderLayer(att.Heads, att.HeadDim, att.Scale, att.Q, att.K, att.V, att.O, ln1.Weights, ffn1, gelu, ffn2, ln2.Weights));
                cur = walk.FollowLayout(ln2.Output);
            }
            else
            {
                if (!norms.StartsPreNormLayer(x))
                {
                    break;
                }

                var ln1 = norms.LayerNormAt(x, "the LayerNorm before attention");
                var att = attention.Attention(ln1.Output, hidden);
                maskValue = float.IsNaN(att.Mask) ? maskValue : att.Mask;
                var r1 = walk.ResidualAdd(att.Output, x);
                var ln2 = norms.LayerNormAt(r1, "the LayerNorm before the FFN");
                var (ffn1, gelu, ffn2, f) = ffn.Ffn(ln2.Output);
                var r2 = walk.ResidualAdd(f, r1);
                layers.Add(new EncoderLayer(att.Heads, att.HeadDim, att.Scale, att.Q, att.K, att.V, att.O, ln1.Weights, ffn1, gelu, ffn2, ln2.Weights));
                cur = walk.FollowLayout(r2);
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
        if (norms.TryLayerNorm(cur, out var fn, out var fnOut))
        {
            finalNorm = fn;
            cur = walk.FollowLayout(fnOut);
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

        CheckEverythingClaimed(g, word, cur);
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

    private static void CheckEverythingClaimed(OnnxGraph g, NodeProto word, string output)
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
}
