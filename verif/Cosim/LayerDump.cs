using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HwGen.Software.IO;
using HwGen.Software.Layers;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Verif;

/// <summary>
/// Completes a whole-layer dump written by <see cref="NpyDump"/>: NpyDump wrote every DRAM tensor (the input X, the
/// int8 weights Wq..W2, the bias and γ/β rows in their accumulator layout, every intermediate as <c>.rtl.npy</c> and
/// <c>.golden.npy</c>, and each float reference as <c>.reference.npy</c>). This adds the biases, γ and β as plain
/// vectors (<c>bias_q.npy</c>, <c>gamma_1.npy</c>, …) and a <c>layer</c> section in meta.json naming every tensor's
/// file, shape, dtype and real scale, the requantizations and kernel constants, so numpy can recheck the layer.
/// </summary>
public static class LayerDump
{
    /// <summary>Writes the layer files into <paramref name="directory"/> and merges the layer section (and the final report) into its meta.json.</summary>
    /// <returns>The files written (meta.json last).</returns>
    public static IReadOnlyList<string> Write(string directory, LayerRun run, CosimReport report)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        JsonNode layerNode;
        if (run.Layers.Count == 1)
        {
            layerNode = WriteLayer(directory, run, 0, string.Empty, written);
        }
        else
        {
            layerNode = new JsonArray(Enumerable.Range(0, run.Layers.Count)
                .Select(i => (JsonNode)WriteLayer(directory, run, i, "L" + i.ToString(CultureInfo.InvariantCulture) + ".", written)).ToArray());
        }

        var metaPath = Path.Combine(directory, "meta.json");
        var meta = File.Exists(metaPath) ? JsonNode.Parse(File.ReadAllText(metaPath))!.AsObject() : new JsonObject();
        meta[run.Layers.Count == 1 ? "layer" : "layers"] = layerNode;
        meta["report"] = JsonNode.Parse(CosimReportJson.Serialize(report));
        File.WriteAllText(metaPath, meta.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        written.Add(metaPath);
        return written;
    }

    /// <summary>Writes layer <paramref name="index"/>'s weights, vectors and tensor entries (file names prefixed with <paramref name="prefix"/>).</summary>
    private static JsonObject WriteLayer(string directory, LayerRun run, int index, string prefix, List<string> written)
    {
        var q = run.Layers[index];
        var spec = q.Spec;
        int s = spec.Seq, h = spec.Hidden, f = spec.Ffn, a = spec.AttentionWidth;
        var tensors = new JsonObject();

        JsonObject Entry(string file, int[] shape, string dtype, double scale, string meaning) => new()
        {
            ["file"] = file,
            ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
            ["dtype"] = dtype,
            ["scale"] = scale,
            ["meaning"] = meaning,
        };

        void Vector(string name, int[] values, double scale, string meaning)
        {
            var file = prefix + name + ".npy";
            Npy.WriteFile(Path.Combine(directory, file), values, values.Length);
            written.Add(Path.Combine(directory, file));
            tensors[name] = Entry(file, [values.Length], "int32", scale, meaning);
        }

        void Gamma(string name, short[] values, double scale, string meaning)
        {
            var file = prefix + name + ".npy";
            Npy.WriteFile(Path.Combine(directory, file), values, values.Length);
            written.Add(Path.Combine(directory, file));
            tensors[name] = Entry(file, [values.Length], "int16", scale, meaning);
        }

        var w = q.WeightScales;
        tensors["X"] = Entry((index == 0 ? prefix + "X" : "L" + (index - 1).ToString(CultureInfo.InvariantCulture) + ".Y.rtl") + ".npy", [s, h], "int8", q.ScaleX, "layer input");
        tensors["Wq"] = Entry(prefix + "Wq.npy", [h, a], "int8", w[0], "query weights, in x out");
        tensors["Wk"] = Entry(prefix + "Wk.npy", [h, a], "int8", w[1], "key weights, in x out");
        tensors["Wv"] = Entry(prefix + "Wv.npy", [h, a], "int8", w[2], "value weights, in x out");
        tensors["Wo"] = Entry(prefix + "Wo.npy", [a, h], "int8", w[3], "output projection weights, in x out");
        tensors["W1"] = Entry(prefix + "W1.npy", [h, f], "int8", w[4], "FFN1 weights, in x out");
        tensors["W2"] = Entry(prefix + "W2.npy", [f, h], "int8", w[5], "FFN2 weights, in x out");
        Vector("bias_q", q.Bq, q.AttentionInputScale * w[0], "query bias (scale S_in*S_wq)");
        Vector("bias_k", q.Bk, q.AttentionInputScale * w[1], "key bias (scale S_in*S_wk)");
        Vector("bias_v", q.Bv, q.AttentionInputScale * w[2], "value bias (scale S_in*S_wv)");
        Vector("bias_o", q.Bo, q.ScaleO * w[3], "output projection bias (scale S_o*S_wo)");
        Vector("bias_1", q.B1, q.FfnInputScale * w[4], "FFN1 bias (scale S_ffn_in*S_w1)");
        Vector("bias_2", q.B2, q.ScaleH * w[5], "FFN2 bias (scale S_h*S_w2)");
        var betaUnit = 1.0 / (1 << IntLayerNormConstants.BetaFracBits);
        Gamma("gamma_1", q.Gamma1, q.Norm1.GammaScale, "LayerNorm 1 gamma");
        Vector("beta_1", q.Beta1, q.Norm1OutputScale * betaUnit, "LayerNorm 1 beta (units of its output scale/2^8)");
        Gamma("gamma_2", q.Gamma2, q.Norm2.GammaScale, "LayerNorm 2 gamma");
        Vector("beta_2", q.Beta2, q.Norm2OutputScale * betaUnit, "LayerNorm 2 beta (units of its output scale/2^8)");

        var meanings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Q"] = "queries X*Wq+bq",
            ["K"] = "keys X*Wk+bk",
            ["V"] = "values X*Wv+bv",
            ["P"] = "attention probabilities, heads*seq x seq (head h: rows h*seq..h*seq+seq-1)",
            ["O"] = "attention output P*V, heads side by side",
            ["X1"] = spec.PreLayerNorm ? "X + O*Wo+bo (residual add)" : "LayerNorm1(X + O*Wo+bo)",
            ["H"] = spec.PreLayerNorm ? "GELU(A2*W1+b1)" : "GELU(X1*W1+b1)",
            ["A1"] = "LayerNorm1(X) (pre-LN)",
            ["A2"] = "LayerNorm2(X1) (pre-LN)",
            ["Y"] = spec.PreLayerNorm ? "layer output X1 + H*W2+b2 (residual add)" : "layer output LayerNorm2(X1 + H*W2+b2)",
        };
        foreach (var (name, scale, reference) in LayerRun.Tensors(q, run.Floats[index]))
        {
            var region = run.Program.Tensors.First(t => t.Name == prefix + name);
            var meaning = meanings.TryGetValue(name, out var m) ? m : "attention probabilities of one packed sequence, heads*n x n (head h: rows h*n..h*n+n-1)";
            var entry = Entry(prefix + name + ".rtl.npy", [region.Rows, region.Cols], "int8", scale, meaning);
            entry["golden"] = prefix + name + ".golden.npy";
            entry["reference"] = prefix + name + ".reference.npy";
            entry["reference_dtype"] = "float32";
            tensors[name] = entry;
        }

        var json = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        var layer = new JsonObject
        {
            ["preset"] = spec.Name,
            ["hidden"] = h,
            ["heads"] = spec.Heads,
            ["head_dim"] = spec.HeadDim,
            ["ffn"] = f,
            ["seq"] = s,
            ["causal"] = spec.Causal,
            ["pre_layer_norm"] = spec.PreLayerNorm,
            ["seed"] = q.Seed,
            ["tensors"] = tensors,
            ["requantization"] = new JsonObject
            {
                ["Q"] = JsonSerializer.SerializeToNode(q.RequantQ, json),
                ["K"] = JsonSerializer.SerializeToNode(q.RequantK, json),
                ["V"] = JsonSerializer.SerializeToNode(q.RequantV, json),
                ["O"] = JsonSerializer.SerializeToNode(q.RequantO, json),
            },
            ["constants"] = new JsonObject
            {
                ["softmax"] = JsonSerializer.SerializeToNode(q.Softmax, json),
                ["layernorm1"] = JsonSerializer.SerializeToNode(q.Norm1, json),
                ["gelu"] = JsonSerializer.SerializeToNode(q.Gelu, json),
                ["layernorm2"] = JsonSerializer.SerializeToNode(q.Norm2, json),
            },
            ["float_reference"] = "the float layer (docs/layers.md) on the dequantized int8 weights: W = Wq.npy * scale, bias = bias_q.npy * scale, gamma = gamma_1.npy * scale, beta = beta_1.npy * scale; X = X.npy * scale",
            ["recheck"] = "cosine(Y.rtl.npy * tensors.Y.scale, Y.reference.npy) and max |Y.rtl.npy * scale - Y.reference.npy| give report.accuracy (kernel 'layer')",
        };

        return layer;
    }
}
