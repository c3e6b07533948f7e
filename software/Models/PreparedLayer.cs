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

    public float[]? InputSmoothing { get; set; }

    public float[]? FfnSmoothing { get; set; }

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
    }

    public void QuantizeWeights(WeightQuantization mode)
    {
        foreach (var p in new[] { Query, Key, Value, Output, Ffn1, Ffn2 })
        {
            p.Quantize(mode);
        }
    }
}
