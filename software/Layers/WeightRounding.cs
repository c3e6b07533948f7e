namespace HwGen.Software.Layers;

/// <summary>
/// What rounding a layer's weights costs: the integer layer's output Y (the untiled reference, which the golden model and
/// the RTL equal bit for bit) against the float layer on the <em>unquantized</em> weights and input. The layer reports
/// compare against the float layer on the dequantized weights, which leaves the weights' own rounding out; this does not.
/// </summary>
public static class WeightRounding
{
    /// <summary>
    /// One layer of <paramref name="spec"/> seeded by <paramref name="seed"/>, its weights at <paramref name="weightBits"/> (8 or
    /// 4; with <paramref name="channelScales"/> int4 Wq, Wk, Wv and W1 per output channel, <see cref="ChannelScales"/>).
    /// </summary>
    public static LayerAccuracy Measure(LayerSpec spec, ulong seed, int weightBits, bool channelScales = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var q = QuantizedLayer.CreateStack(spec, seed, 1, weightBits: weightBits, channelScales: channelScales)[0];
        var reference = FloatLayer.Forward(spec, LayerWeights.Create(spec, seed));
        return LayerAccuracy.Measure(IntLayerReference.Run(q).Y, q.ScaleY, reference.Y);
    }
}
