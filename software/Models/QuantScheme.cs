namespace HwGen.Models;

/// <summary>
/// A fake-quantization choice for the accuracy study: which tensors are rounded to how many bits. Null widths keep a
/// tensor in float. Activation scales are symmetric per tensor, from the maximum seen on the calibration sentences.
/// </summary>
/// <param name="Name">Short label used in the table.</param>
/// <param name="Weights">Weight quantization.</param>
/// <param name="ActivationBits">Matmul operands (Q/K/V/attention-output inputs, Q, K, V, attention context); the
/// Softmax output is then unsigned 8-bit with scale 2⁻⁸.</param>
/// <param name="ResidualBits">The residual stream: both addends of each residual add (sub-layer outputs and the
/// stream's copy of the previous LayerNorm output).</param>
/// <param name="FfnInputBits">The FFN inputs: the LayerNorm output read by FFN1 and the GELU output read by FFN2.</param>
/// <param name="SmoothAlpha">SmoothQuant migration strength for the LayerNorm outputs feeding projections, or null.</param>
/// <param name="IntegerUnits">Run the bit-exact integer units of software/Numerics where the formats allow: Softmax
/// (<c>IntSoftmax</c>: int32 QKᵀ of the int8 Q and K, output 2⁻⁷) with 8-bit activations, and GELU (<c>IntGelu</c>,
/// int8 in and out) with 8-bit FFN inputs. Otherwise those run in float on the rounded values.</param>
/// <param name="ClipPercentile">Activation scales from this percentile of |x| on the calibration sentences instead of
/// the maximum (values beyond it saturate), or null for the maximum.</param>
public sealed record QuantScheme(string Name, WeightQuantization Weights, int? ActivationBits, int? ResidualBits, int? FfnInputBits, double? SmoothAlpha = null, bool IntegerUnits = false, double? ClipPercentile = null)
{
    /// <summary>The float model (no quantization).</summary>
    public static QuantScheme Float { get; } = new("float", WeightQuantization.Float, null, null, null);

    /// <summary>True when any activation is quantized (so calibration is needed).</summary>
    public bool NeedsCalibration => ActivationBits is not null || ResidualBits is not null || FfnInputBits is not null || SmoothAlpha is not null;

    /// <summary>The schemes of the study, in the order of the table in docs/numerics.md.</summary>
    public static IReadOnlyList<QuantScheme> Study { get; } =
    [
        new("int8 everywhere, one scale per tensor", WeightQuantization.PerTensor, 8, 8, 8),
        new("per-channel int8 weights, float activations", WeightQuantization.PerChannel, null, null, null),
        new("per-channel weights, int8 activations, int8 residual", WeightQuantization.PerChannel, 8, 8, 8),
        new("... residual stream at 16 bits", WeightQuantization.PerChannel, 8, 16, 8),
        new("... residual stream at 32 bits", WeightQuantization.PerChannel, 8, 32, 8),
        new("... residual 16 bits + 16-bit FFN inputs", WeightQuantization.PerChannel, 8, 16, 16),
        new("... residual 32 bits + 16-bit FFN inputs", WeightQuantization.PerChannel, 8, 32, 16),
        new("... residual 16 bits, int8 FFN inputs + SmoothQuant (α=0.5)", WeightQuantization.PerChannel, 8, 16, 8, 0.5),
        new("... residual 16 bits + 16-bit FFN inputs + SmoothQuant (α=0.5)", WeightQuantization.PerChannel, 8, 16, 16, 0.5),
        new("per-channel, int8 act., residual 16, int8 FFN inputs, integer Softmax + GELU units", WeightQuantization.PerChannel, 8, 16, 8, null, true),
        new("per-channel, int8 act., residual 16, 16-bit FFN inputs, integer Softmax unit", WeightQuantization.PerChannel, 8, 16, 16, null, true),
        new("per-channel, int8 act., residual 16, int8 FFN inputs, 99.99th-percentile scales", WeightQuantization.PerChannel, 8, 16, 8, null, false, 99.99),
        new("per-channel, int8 act., residual 16, 16-bit FFN inputs, 99.99th-percentile scales", WeightQuantization.PerChannel, 8, 16, 16, null, false, 99.99),
        new("per-channel, int8 act., residual 16, 16-bit FFN inputs, integer Softmax unit, SmoothQuant (α=0.5)", WeightQuantization.PerChannel, 8, 16, 16, 0.5, true),
        new("all operands int8, residual 16: SmoothQuant + 99.99th-percentile scales + integer Softmax + GELU units", WeightQuantization.PerChannel, 8, 16, 8, 0.5, true, 99.99),
        new("row 15 with SmoothQuant α=0.75", WeightQuantization.PerChannel, 8, 16, 8, 0.75, true, 99.99),
        new("row 15 with 99.9th-percentile scales", WeightQuantization.PerChannel, 8, 16, 8, 0.5, true, 99.9),
    ];

    /// <summary>The scheme `run` uses for its integer numbers: the best of the study (per-channel int8 weights, int8 attention operands with the integer Softmax unit, 16-bit residual stream and FFN inputs, SmoothQuant).</summary>
    public static QuantScheme Best => Study[13]; // row 14 of the table
}
