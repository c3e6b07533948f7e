using System.Globalization;
using HwGen.Software.Layers;
using HwGen.Software.Numerics;
using HwGen.Software.Numerics.Transformer;

namespace HwGen.Models;

/// <summary>
/// Lowers an imported encoder onto the accelerator's layer stack: each <see cref="EncoderLayer"/> becomes a
/// <see cref="QuantizedLayer"/> (the same type the presets use, so the same graph, compiler, golden model and RTL run
/// it) with the model's own weights, and activation scales calibrated on sentences. The embedding lookup, its sum and
/// its LayerNorm stay on the host in float (table reads, once per token); the host quantizes their output to the int8
/// input of layer 0. A pre-LN model's final LayerNorm also runs on the host.
/// </summary>
/// <remarks>
/// Today's datapath fixes the storage formats: int8 weights with one scale per tensor (the store requantization has one
/// multiplier and shift), int32 biases, int8 activations everywhere, including the residual stream and the FFN inputs.
/// That is row 1 of the quantization study in docs/numerics.md; the wider formats the study asks for are the next
/// hardware steps (docs/models.md).
/// </remarks>
public sealed class EncoderLowering
{
    private readonly EncoderModel model;
    private readonly LayerWeights[] weights;
    private readonly QuantizedLayer[] templates;
    private readonly ChannelRanges[] ranges;

    /// <summary>
    /// Checks that the datapath can run <paramref name="model"/>, then quantizes it, calibrating on
    /// <paramref name="calibration"/>: for the per-column datapath with <paramref name="columns"/> (a post-LN model),
    /// else for the per-tensor one.
    /// </summary>
    /// <exception cref="ModelException">A layer the accelerator's layer type cannot hold, or no calibration sentences.</exception>
    public EncoderLowering(EncoderModel model, IReadOnlyList<int[]> calibration, ColumnOptions? columns = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibration);
        this.model = model;
        CheckShape(model);
        if (calibration.Count == 0)
        {
            throw new ModelException("no calibration sentences");
        }

        if (columns is not null && model.Placement == NormPlacement.PreNorm)
        {
            throw new ModelException($"{model.Name}: the per-column datapath (16-bit residual stream) is for post-LN models; this one is pre-LN");
        }

        Columns = columns;
        weights = model.Layers.Select(ToLayerWeights).ToArray();
        (Scales, ranges) = Calibrate(calibration);
        templates = new QuantizedLayer[weights.Length];
        if (columns is null)
        {
            for (var i = 0; i < weights.Length; i++)
            {
                templates[i] = QuantizedLayer.Create(Spec(i, 1), 0, weights[i], Scales[i], new sbyte[model.Hidden]);
            }

            return;
        }

        var smooth = weights.Select((w, i) => ColumnDatapath.InputSmoothing(ranges[i], w, columns)).ToArray();
        var scaleX16 = ColumnDatapath.WideScale(ranges[0].X, smooth[0]);
        for (var i = 0; i < weights.Length; i++)
        {
            var smoothOut = i + 1 < weights.Length ? smooth[i + 1] : Enumerable.Repeat(1.0, model.Hidden).ToArray();
            templates[i] = QuantizedLayer.CreateColumns(Spec(i, 1), weights[i], Scales[i], ranges[i], smooth[i], smoothOut, new short[model.Hidden], scaleX16, columns);
            scaleX16 = templates[i].Columns!.Norm2.WideScale;
        }
    }

    /// <summary>The per-column datapath's options, or null for the per-tensor datapath.</summary>
    public ColumnOptions? Columns { get; }

    /// <summary>The real scale of the stored layer output of the last layer (int16 with <see cref="Columns"/>, else int8).</summary>
    public double OutputScale => templates[^1].Columns is { } c ? c.Norm2.WideScale : Scales[^1].Y;

    /// <summary>The activation scales of each layer; layer i's input scale is layer i−1's output scale.</summary>
    public IReadOnlyList<LayerScales> Scales { get; }

    /// <summary>Layer <paramref name="layer"/>'s shape at <paramref name="tokens"/> tokens (named after the model); layers may differ in heads and FFN width (a pruned model).</summary>
    public LayerSpec Spec(int layer, int tokens)
    {
        var l = model.Layers[layer];
        return LayerSpec.Create(model.Name, model.Hidden, l.Heads, l.HeadDim, l.FfnWidth, tokens, false, model.Placement == NormPlacement.PreNorm);
    }

    /// <summary>
    /// The layer stack for a batch of sentences packed back to back (<see cref="LayerSpec.Pack"/>): the host embeds each
    /// sentence (positions restart at 0 for each) and quantizes the result to layer 0's int8 input; the quantized
    /// weights are shared with every other batch. The program reads only layer 0's input; with
    /// <paramref name="chainInputs"/> every later layer's <see cref="QuantizedLayer.X"/> is also filled with its
    /// predecessor's output from the integer layer reference, which the untiled reference of a co-simulation needs (it
    /// runs each layer from its own input).
    /// </summary>
    /// <exception cref="ModelException">No sentences, an empty sentence, more tokens than positions, or a token outside the vocabulary.</exception>
    public IReadOnlyList<QuantizedLayer> Lower(IReadOnlyList<int[]> sentences, bool chainInputs = false)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        if (sentences.Count == 0 || sentences.Any(ids => ids.Length == 0))
        {
            throw new ModelException("a batch needs at least one sentence, each with at least one token");
        }

        var embedded = sentences.SelectMany(ids => FloatEncoder.Embed(model, ids)).ToArray();
        var lengths = sentences.Select(ids => ids.Length).ToArray();
        if (templates[0].Columns is not null)
        {
            return LowerColumns(lengths, embedded.Select(v => (double)v).ToArray(), chainInputs);
        }

        var sx = Scales[0].X;
        var x = new sbyte[embedded.Length];
        var dequantized = new double[embedded.Length];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = SymmetricQuantizer.Quantize(embedded[i], sx);
            dequantized[i] = x[i] * sx;
        }

        var stack = new QuantizedLayer[templates.Length];
        for (var i = 0; i < stack.Length; i++)
        {
            // Only layer 0's input is in the program; layer i > 0 reads layer i−1's output where it lies.
            var input = i == 0 ? x : chainInputs ? IntLayerReference.Run(stack[i - 1]).Y : new sbyte[x.Length];
            stack[i] = templates[i] with
            {
                Spec = templates[i].Spec.Pack(lengths),
                X = input,
                Dequantized = templates[i].Dequantized with { Input = i == 0 ? dequantized : new double[input.Length] },
            };
        }

        return stack;
    }

    /// <summary>The per-column datapath's stack: layer 0's int16 input divided by its smoothing factors.</summary>
    private QuantizedLayer[] LowerColumns(int[] lengths, double[] embedded, bool chainInputs)
    {
        var first = templates[0].Columns!;
        var x16 = ColumnDatapath.QuantizeWide(embedded, first.SmoothIn, first.ScaleX16);
        var stack = new QuantizedLayer[templates.Length];
        for (var i = 0; i < stack.Length; i++)
        {
            var t = templates[i];
            var c = t.Columns!;
            var input = i == 0 ? x16 : chainInputs ? IntLayerReference.Run(stack[i - 1]).YWide! : new short[x16.Length];
            stack[i] = t with
            {
                Spec = t.Spec.Pack(lengths),
                X = input.Select(FixedPoint.NarrowWide).ToArray(),
                Columns = c with { X16 = input },
                Dequantized = t.Dequantized with { Input = input.Select((v, e) => v * c.ScaleX16 * c.SmoothIn[e % model.Hidden]).ToArray() },
            };
        }

        return stack;
    }

    /// <summary>
    /// The sentences' last hidden states from the untiled integer layer reference (what the golden model and the RTL
    /// compute bit for bit), without compiling a program: for accuracy over many sentences.
    /// </summary>
    public IReadOnlyList<float[]> ReferenceHiddenStates(IReadOnlyList<int[]> sentences)
    {
        var stack = Lower(sentences, chainInputs: true);
        return HiddenStates(IntLayerReference.Run(stack[^1]).StoredY, sentences.Select(ids => ids.Length).ToArray());
    }

    /// <summary>
    /// Each sentence's last hidden states [tokens, hidden] in float from the stored output <paramref name="y"/> of the
    /// last layer (<see cref="OutputScale"/>) for sentences of <paramref name="lengths"/> tokens packed back to back, with a pre-LN
    /// model's final LayerNorm applied on the host.
    /// </summary>
    public IReadOnlyList<float[]> HiddenStates(ReadOnlySpan<long> y, IReadOnlyList<int> lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        var scale = OutputScale;
        var result = new List<float[]>();
        var at = 0;
        foreach (var n in lengths)
        {
            var h = new float[n * model.Hidden];
            for (var i = 0; i < h.Length; i++)
            {
                h[i] = (float)(y[at + i] * scale);
            }

            if (model.FinalNorm is { } norm)
            {
                FloatKernels.LayerNorm(h, n, norm);
            }

            result.Add(h);
            at += h.Length;
        }

        return result;
    }

    /// <summary>
    /// Row <paramref name="row"/> of layer <paramref name="layer"/>'s stored output <paramref name="y"/> in float: at the
    /// last layer's output scale, or at the scale (and per-column smoothing) the next layer reads it with; a pre-LN
    /// model's final LayerNorm is not applied (<see cref="ApplyFinalNorm"/>). Token pruning pools a pruned token's state
    /// from the layer after which it left.
    /// </summary>
    public float[] OutputRow(int layer, ReadOnlySpan<long> y, int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, templates.Length);
        var (h, last) = (model.Hidden, layer == templates.Length - 1);
        var next = last ? null : templates[layer + 1].Columns;
        var r = new float[h];
        for (var c = 0; c < h; c++)
        {
            var factor = last ? OutputScale : next is { } n ? n.ScaleX16 * n.SmoothIn[c] : Scales[layer].Y;
            r[c] = (float)(y[(row * h) + c] * factor);
        }

        return r;
    }

    /// <summary>Applies a pre-LN model's final LayerNorm to <paramref name="tokens"/> rows of hidden states (nothing for a post-LN model).</summary>
    public void ApplyFinalNorm(float[] states, int tokens)
    {
        if (model.FinalNorm is { } norm)
        {
            FloatKernels.LayerNorm(states, tokens, norm);
        }
    }

    /// <summary>
    /// Splits sentences, in order, into batches of at most <paramref name="maxTokens"/> tokens (a longer sentence is a
    /// batch of its own): what one program runs.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<int>> Batches(IReadOnlyList<int[]> sentences, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        var batches = new List<IReadOnlyList<int>>();
        var current = new List<int>();
        var tokens = 0;
        for (var i = 0; i < sentences.Count; i++)
        {
            if (current.Count > 0 && tokens + sentences[i].Length > maxTokens)
            {
                batches.Add(current);
                current = [];
                tokens = 0;
            }

            current.Add(i);
            tokens += sentences[i].Length;
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        return batches;
    }

    /// <summary>The name of the last layer's output tensor in the compiled program.</summary>
    public string OutputTensor => model.Layers.Length == 1 ? "Y" : $"L{(model.Layers.Length - 1).ToString(CultureInfo.InvariantCulture)}.Y";

    /// <summary>
    /// Every layer must be the accelerator's layer type: at least one head and one FFN filter, and the scores scaled by
    /// 1/√(head width), which the Softmax unit's input conversion folds in. Layers may differ in heads and FFN width, and
    /// heads × head width may be below the hidden width (a pruned model, docs/pruning.md): each layer is its own node
    /// of the one program.
    /// </summary>
    private static void CheckShape(EncoderModel model)
    {
        if (model.Layers.IsEmpty)
        {
            throw new ModelException($"{model.Name}: the model has no encoder layers to run");
        }

        for (var i = 0; i < model.Layers.Length; i++)
        {
            var l = model.Layers[i];
            if (l.Heads < 1 || l.HeadDim < 1 || l.FfnWidth < 1)
            {
                throw new ModelException($"{model.Name}: layer {i} has {l.Heads} heads of {l.HeadDim} and FFN {l.FfnWidth}; the accelerator's layer needs at least one head and one filter");
            }

            var standard = 1.0 / Math.Sqrt(l.HeadDim);
            if (Math.Abs(l.ScoreScale - standard) > 1e-4 * standard)
            {
                throw new ModelException(FormattableString.Invariant($"{model.Name}: layer {i} scales its attention scores by {l.ScoreScale:G6}, not 1/√{l.HeadDim}; the accelerator folds 1/√d into the Softmax unit"));
            }
        }
    }

    internal static LayerWeights ToLayerWeights(EncoderLayer l)
    {
        static double[] D(FloatMatrix m)
        {
            var d = new double[m.Data.Length];
            for (var i = 0; i < d.Length; i++)
            {
                d[i] = m.Data[i];
            }

            return d;
        }

        return new LayerWeights(
            [],
            D(l.Query.Weight), D(l.Query.Bias), D(l.Key.Weight), D(l.Key.Bias), D(l.Value.Weight), D(l.Value.Bias), D(l.Output.Weight), D(l.Output.Bias),
            D(l.AttentionNorm.Gamma), D(l.AttentionNorm.Beta), D(l.Ffn1.Weight), D(l.Ffn1.Bias), D(l.Ffn2.Weight), D(l.Ffn2.Bias),
            D(l.FfnNorm.Gamma), D(l.FfnNorm.Beta));
    }

    /// <summary>
    /// Runs the float layers (HwGen's own <see cref="FloatLayer"/>, the reference of every preset) on each calibration
    /// sentence's embedding and keeps the largest scale of every tensor; then layer i's input scale is set to layer i−1's
    /// output scale, because layer i reads that int8 tensor in place.
    /// </summary>
    private (LayerScales[] Scales, ChannelRanges[] Ranges) Calibrate(IReadOnlyList<int[]> sentences)
    {
        var scales = new LayerScales?[weights.Length];
        var channels = new ChannelRanges?[weights.Length];
        foreach (var ids in sentences)
        {
            var x = FloatEncoder.Embed(model, ids).Select(v => (double)v).ToArray();
            for (var i = 0; i < weights.Length; i++)
            {
                var spec = Spec(i, ids.Length);
                var f = FloatLayer.Forward(spec, weights[i] with { Input = x });
                var s = LayerScales.Of(x, f);
                scales[i] = scales[i] is { } seen ? seen.Max(s) : s;
                var r = ChannelRanges.Of(spec, x, f);
                channels[i] = channels[i] is { } had ? had.Merge(r) : r;
                x = f.Y;
            }
        }

        var result = scales.Select(s => s!).ToArray();
        for (var i = 1; i < result.Length; i++)
        {
            result[i] = result[i] with { X = result[i - 1].Y };
        }

        return (result, channels.Select(c => c!).ToArray());
    }
}
