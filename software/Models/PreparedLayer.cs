using HwGen.Software.Numerics.Transformer;

namespace HwGen.Models;

/// <summary>A layer's projections as used by <see cref="FloatEncoder"/>, with its SmoothQuant factors.</summary>
internal sealed class PreparedLayer(EncoderLayer source)
{
    public EncoderLayer Source { get; } = source;

    public PreparedLinear Query { get; } = new(source.Query);

    public PreparedLinear Key { get; } = new(source.Key);

    public PreparedLinear Value { get; } = new(source.Value);

    public PreparedLinear Output { get; } = new(source.Output);

    public PreparedLinear Ffn1 { get; } = new(source.Ffn1);

    public PreparedLinear Ffn2 { get; } = new(source.Ffn2);

    /// <summary>Factors dividing the attention input's channels (folded into Q/K/V rows), or null.</summary>
    public float[]? InputSmoothing { get; set; }

    /// <summary>Factors dividing the FFN input's channels (folded into FFN1's rows), or null.</summary>
    public float[]? FfnSmoothing { get; set; }

    /// <summary>Factors dividing the GELU output's columns (folded into FFN2's rows), or null.</summary>
    public float[]? GeluSmoothing { get; set; }

    /// <summary>The integer GELU unit's constants per FFN column, once the scales are known (integer units only).</summary>
    public IntGeluConstants[]? GeluConstants { get; set; }

    public void ApplySmoothing()
    {
        if (InputSmoothing is { } s)
        {
            Query.ScaleRows(s);
            Key.ScaleRows(s);
            Value.ScaleRows(s);
        }

        if (FfnSmoothing is { } f)
        {
            Ffn1.ScaleRows(f);
        }

        if (GeluSmoothing is { } g)
        {
            Ffn2.ScaleRows(g);
        }
    }

    public void QuantizeWeights(QuantScheme scheme)
    {
        var requantize = scheme.WeightsFor(PerColumnStores.Requantize);
        Query.Quantize(requantize);
        Key.Quantize(requantize);
        Value.Quantize(requantize);
        var layerNormInput = scheme.WeightsFor(PerColumnStores.LayerNormInput);
        Output.Quantize(layerNormInput);
        Ffn2.Quantize(layerNormInput);
        Ffn1.Quantize(scheme.WeightsFor(PerColumnStores.Gelu));
    }
}
