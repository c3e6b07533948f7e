using HwGen.Generator.Design;
using HwGen.Software.Numerics.Transformer;
using HwGen.Software.Programs;
using HwGen.Software.Workloads;

namespace HwGen.Software.Layers;

/// <summary>
/// A whole-layer run prepared by software (quantized, compiled, float reference run), with everything a co-simulation
/// reports on besides the bit-exact verdict: the quantized layer (weights,
/// scales, kernel constants), the compiled program with its operations, and the float layer run on the dequantized
/// int8 weights. <see cref="Program"/> carries one <see cref="KernelReference"/> (kernel <c>layer</c>) per intermediate
/// tensor, so the co-simulation report measures each against float (cosine, max abs error) and a dump writes the float
/// references next to the integer tensors.
/// </summary>
public sealed record LayerRun
{
    /// <summary>The reference kernel name of layer tensors.</summary>
    public const string Kernel = "layer";

    /// <summary>The quantized layer (the first of a stack).</summary>
    public QuantizedLayer Quantized => Layers[0];

    /// <summary>Every layer of the stack (one unless the workload says <c>layers=</c>).</summary>
    public required IReadOnlyList<QuantizedLayer> Layers { get; init; }

    /// <summary>The float stack on the dequantized weights: layer i+1 runs on layer i's float output.</summary>
    public required IReadOnlyList<FloatActivations> Floats { get; init; }

    /// <summary>The compiled layer: the program without references, and the operations.</summary>
    public required CompiledLayer Compiled { get; init; }

    /// <summary>The float layer on the dequantized weights (the first of a stack).</summary>
    public FloatActivations Float => Floats[0];

    /// <summary>The program to run: the compiled one with the float references of every intermediate tensor.</summary>
    public required CompiledProgram Program { get; init; }

    /// <summary>The integer tensors the layer writes, in dataflow order, each with its scale and float reference.</summary>
    public static IReadOnlyList<(string Tensor, double Scale, double[] Float)> Tensors(QuantizedLayer q, FloatActivations f)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(f);
        var list = new List<(string, double, double[])>();
        if (q.Spec.PreLayerNorm)
        {
            list.Add(("A1", q.ScaleA1, f.A1!));
        }

        list.AddRange(
        [
            ("Q", q.ScaleQ, f.Q),
            ("K", q.ScaleK, f.K),
            ("V", q.ScaleV, f.V),
        ]);
        list.AddRange(LayerSpec.SplitProbabilities(q.Spec, f.P).Select(p => (p.Name, IntSoftmaxConstants.OutputScale, p.Values)));
        if (q.Columns is { } c)
        {
            // The per-column datapath stores X1 and Y at 16 bits divided by their smoothing factors, and H divided by its
            // factors with a zero point: the references are divided alike (and shifted by the zero point's real value).
            static double[] Divide(double[] v, double[] s) => v.Select((x, i) => x / s[i % s.Length]).ToArray();
            list.Add(("O", q.ScaleO, f.O));
            list.Add(("X1", c.Norm1.WideScale, Divide(f.X1, c.SmoothFfn)));
            list.Add(("H", q.ScaleH, Divide(f.H, c.SmoothGelu).Select(v => v + (c.GeluZero * q.ScaleH)).ToArray()));
            list.Add(("Y", c.Norm2.WideScale, Divide(f.Y, c.SmoothOut)));
            return list;
        }

        list.AddRange(
        [
            ("O", q.ScaleO, f.O),
            ("X1", q.ScaleX1, f.X1),
        ]);
        if (q.Spec.PreLayerNorm)
        {
            list.Add(("A2", q.ScaleA2, f.A2!));
        }

        list.Add(("H", q.ScaleH, f.H));
        list.Add(("Y", q.ScaleY, f.Y));
        return list;
    }

    /// <summary>
    /// Quantizes and compiles the layer a workload names (<c>bert-tiny:seq=64,causal=1,seed=3</c>; seq defaults to the
    /// preset's, causal to the preset's, seed to 1).
    /// </summary>
    /// <exception cref="ArgumentException">Not a layer preset, a layer the compiler cannot map yet, or one the design cannot hold.</exception>
    public static LayerRun Create(DesignModel design, WorkloadSpec spec) => Create(design, LayerCompiler.Stack(spec));

    /// <summary>Compiles <paramref name="q"/> for <paramref name="design"/> and runs the float reference.</summary>
    public static LayerRun Create(DesignModel design, QuantizedLayer q) => Create(design, [q ?? throw new ArgumentNullException(nameof(q))]);

    /// <summary>
    /// Compiles a stack for <paramref name="design"/> and runs the float stack on the dequantized weights, from the
    /// dequantized input of the first layer (so accuracy is end to end).
    /// </summary>
    public static LayerRun Create(DesignModel design, IReadOnlyList<QuantizedLayer> layers) =>
        Create(layers, LayerCompiler.CompileLayers(design, layers));

    /// <summary>Runs the float stack for a stack already compiled into <paramref name="compiled"/>.</summary>
    public static LayerRun Create(IReadOnlyList<QuantizedLayer> layers, CompiledLayer compiled)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(compiled);
        var floats = new List<FloatActivations>();
        var references = new List<KernelReference>();
        for (var i = 0; i < layers.Count; i++)
        {
            var q = layers[i];
            var w = i == 0 ? q.Dequantized : q.Dequantized with { Input = floats[i - 1].Y };
            floats.Add(FloatLayer.Forward(q.Spec, w));
            var prefix = layers.Count == 1 ? string.Empty : "L" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".";
            references.AddRange(Tensors(q, floats[i]).Select(t => new KernelReference(Kernel, prefix + t.Tensor, t.Float, t.Scale)
            {
                RowNormalized = q.Spec.LateSoftmax && (t.Tensor == "P" || t.Tensor.EndsWith(".P", StringComparison.Ordinal)),
            }));
        }

        return new LayerRun
        {
            Layers = layers,
            Compiled = compiled,
            Floats = floats,
            Program = compiled.Program with { References = [.. compiled.Program.References, .. references] },
        };
    }
}
