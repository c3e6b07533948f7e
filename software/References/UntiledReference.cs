using HwGen.Software.Layers;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Software.References;

/// <summary>
/// The outputs a workload must produce, computed straight from its definition with no tiling, no memory plan and no
/// program: a GEMM is a plain triple loop of wrapping int8 MACs followed by the same requantization (or I-GELU) the
/// store path applies; a row operation is its Numerics kernel applied row by row; a layer is
/// <see cref="IntLayerReference"/>. Co-simulation checks the golden model's outputs against these, so a compiler bug
/// that the golden model and the RTL execute faithfully still fails the run.
/// </summary>
public static class UntiledReference
{
    /// <summary>
    /// The reference of the workload a compiled program names in <see cref="CompiledProgram.Workload"/> (GEMMs and row
    /// operations, whose workload text is their canonical specification); null for anything else (hand-written programs,
    /// layers, whose reference needs their quantized stack: see <see cref="ForLayers"/>).
    /// </summary>
    public static IReadOnlyList<ReferenceTensor>? ForProgram(CompiledProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        WorkloadSpec spec;
        try
        {
            spec = WorkloadSpec.Parse(program.Workload);
        }
        catch (FormatException)
        {
            return null;
        }

        return LayerSpec.PresetNames.Contains(spec.Kind) ? null : ForSpec(spec);
    }

    /// <summary>The reference outputs of a workload specification (GEMM, row operation or layer preset).</summary>
    /// <exception cref="ArgumentException">An unknown kind.</exception>
    public static IReadOnlyList<ReferenceTensor> ForSpec(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind switch
        {
            "gemm" or "gemm+gelu" => [Gemm(GemmWorkload.FromSpec(spec))],
            "gelu" => [Rows("Y", GeluWorkload.FromSpec(spec).ReferenceOutput())],
            "softmax" => [Rows("Y", SoftmaxWorkload.FromSpec(spec).ReferenceOutput())],
            "layernorm" => [Rows("Y", LayerNormWorkload.FromSpec(spec).ReferenceOutput())],
            "resadd" => [Rows("Y", ResidualAddWorkload.FromSpec(spec).ReferenceOutput())],
            _ when LayerSpec.PresetNames.Contains(spec.Kind) => ForLayers(LayerCompiler.Stack(spec)),
            _ => throw new ArgumentException($"workload kind '{spec.Kind}' has no untiled reference", nameof(spec)),
        };
    }

    /// <summary>Every intermediate tensor of a layer stack from the integer layer reference (prefixed <c>L{i}.</c> for stacks).</summary>
    public static IReadOnlyList<ReferenceTensor> ForLayers(IReadOnlyList<QuantizedLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var list = new List<ReferenceTensor>();
        for (var i = 0; i < layers.Count; i++)
        {
            var prefix = layers.Count == 1 ? string.Empty : "L" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".";
            list.AddRange(IntLayerReference.Run(layers[i]).Tensors().Select(t => new ReferenceTensor(prefix + t.Name, t.Values)));
        }

        return list;
    }

    /// <summary>C = epilogue(A·B): a plain i-t-j triple loop of wrapping MACs, then requantization (with ReLU) or I-GELU per element.</summary>
    public static ReferenceTensor Gemm(GemmWorkload w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var acc = new int[(long)w.M * w.N];
        for (var i = 0; i < w.M; i++)
        {
            for (var t = 0; t < w.K; t++)
            {
                var a = w.A[((long)i * w.K) + t];
                for (var j = 0; j < w.N; j++)
                {
                    var at = ((long)i * w.N) + j;
                    acc[at] = IntegerMac.Mac(acc[at], a, w.B[((long)t * w.N) + j]);
                }
            }
        }

        var c = new long[acc.Length];
        for (var e = 0; e < acc.Length; e++)
        {
            c[e] = w.Gelu is { } g ? IntGelu.Apply(acc[e], g) : w.RequantFor((int)(e % w.N)).Apply(acc[e]);
        }

        return new ReferenceTensor("C", c);
    }

    private static ReferenceTensor Rows(string name, sbyte[] values) => new(name, Array.ConvertAll(values, v => (long)v));
}
