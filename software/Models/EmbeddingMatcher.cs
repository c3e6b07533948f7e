using Onnx;

namespace HwGen.Models;

/// <summary>
/// Recognizes the embedding sum: the word table (the largest constant 2-D table gathered by a graph input, through
/// casts and reshapes), plus a position table and optional token-type tables or folded token-type constants.
/// </summary>
internal sealed class EmbeddingMatcher(OnnxGraph g, ImportWalker walk)
{
    /// <summary>Finds the embeddings; <c>Output</c> is the embedding sum, before any LayerNorm.</summary>
    public (NodeProto Word, string InputIds, FloatMatrix WordTable, FloatMatrix Position, FloatMatrix? TokenType, string Output) Match()
    {
        // 1. Embeddings: the word table is the largest constant 2-D table gathered by a graph input.
        var gathers = g.Nodes.Where(n => n.OpType == "Gather" && g.Const(n.Input[0]) is { Dims.Length: 2 } && g.Const(n.Input[1]) is null && !g.IsShapeNode(n)).ToList();
        if (gathers.Count == 0)
        {
            throw new ModelException($"{g.File.Path}: no embedding lookup found (a Gather from a constant [vocabulary, hidden] table by the token ids): not a BERT-family encoder");
        }

        var word = gathers.OrderByDescending(n => g.Const(n.Input[0])!.Dims[0]).First();
        var inputIds = RootInput(word.Input[1]);
        var wordTable = walk.Matrix(word.Input[0]);
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
                    var m = walk.Matrix(gather.Input[0]);
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
            throw new ModelException($"{g.File.Path}: the word embeddings ({OnnxGraph.Describe(word)}) are never added to a position table: not a BERT-family encoder (or positions are computed in a way the importer does not know)");
        }

        return (word, inputIds, wordTable, position, tokenType, cur);
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
}
