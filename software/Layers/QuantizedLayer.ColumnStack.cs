namespace HwGen.Software.Layers;

/// <summary>Seeded layer stacks on the per-column datapath (workload parameter <c>columns=1</c>).</summary>
public sealed partial record QuantizedLayer
{
    /// <summary>
    /// A stack of <paramref name="layers"/> seeded post-LN layers on the per-column datapath (<see cref="ColumnDatapath"/>,
    /// docs/numerics.md): layer i has the weights of seed + i (pruned by mask i when <paramref name="masks"/> is given), is
    /// calibrated on its own float run from the previous layer's float output, and has its queries and keys balanced
    /// (<see cref="QkBalance"/>); its SmoothQuant output factors are the next layer's input factors, and its int16 input is
    /// the previous layer's stored int16 output (as <c>hwgen run --datapath per-column</c> chains an imported model).
    /// </summary>
    /// <exception cref="ArgumentException">A pre-LN layer, or not one mask per layer.</exception>
    public static IReadOnlyList<QuantizedLayer> CreateColumnStack(LayerSpec spec, ulong seed, int layers, IReadOnlyList<LayerMask>? masks, ColumnOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        if (spec.PreLayerNorm)
        {
            throw new ArgumentException($"columns=1: the per-column datapath (16-bit residual stream) is for post-LN layers, and {spec.Name} is pre-LN");
        }

        if (masks is not null && masks.Count != layers)
        {
            throw new ArgumentException($"{masks.Count} pruning masks for {layers} layers", nameof(masks));
        }

        // The float chain first: every layer's calibration, and its input factors, which the previous layer's output needs.
        var (specs, weights, floats) = (new LayerSpec[layers], new LayerWeights[layers], new FloatActivations[layers]);
        double[]? input = null;
        for (var i = 0; i < layers; i++)
        {
            var w = LayerWeights.Create(spec, seed + (ulong)i);
            w = input is null ? w : w with { Input = input };
            var s = spec;
            if (masks?[i] is { } mask)
            {
                (s, w) = LayerPruning.Apply(spec, w, mask);
            }

            var (balancedWeights, balanced, f) = QkBalance.Calibrate(s, w);
            (specs[i], weights[i], floats[i]) = (s, balancedWeights, balanced);
            input = f.Y;
        }

        var ranges = Enumerable.Range(0, layers).Select(i => ChannelRanges.Of(specs[i], weights[i].Input, floats[i])).ToArray();
        var smooth = Enumerable.Range(0, layers).Select(i => ColumnDatapath.InputSmoothing(ranges[i], weights[i], options)).ToArray();
        var scaleX16 = ColumnDatapath.WideScale(ranges[0].X, smooth[0]);
        var x16 = ColumnDatapath.QuantizeWide(weights[0].Input, smooth[0], scaleX16);
        var stack = new List<QuantizedLayer>();
        for (var i = 0; i < layers; i++)
        {
            var smoothOut = i + 1 < layers ? smooth[i + 1] : Enumerable.Repeat(1.0, spec.Hidden).ToArray();
            var q = CreateColumns(specs[i], weights[i], LayerScales.Of(weights[i].Input, floats[i]), ranges[i], smooth[i], smoothOut, x16, scaleX16, options)
                with { Seed = seed + (ulong)i };
            stack.Add(q);
            (x16, scaleX16) = (i + 1 < layers ? IntLayerReference.Run(q).YWide! : x16, q.Columns!.Norm2.WideScale);
        }

        return stack;
    }
}
