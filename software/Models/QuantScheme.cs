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
/// <param name="FfnInputBits">The FFN inputs: the LayerNorm output read by FFN1 and (unless <see cref="GeluOutputBits"/>
/// says otherwise) the GELU output read by FFN2.</param>
/// <param name="SmoothAlpha">SmoothQuant migration strength for the LayerNorm outputs feeding projections, or null.</param>
/// <param name="IntegerUnits">Run the bit-exact integer units of software/Numerics where the formats allow: Softmax
/// (<c>IntSoftmax</c>: int32 QKᵀ of the int8 Q and K, output 2⁻⁷) with 8-bit activations, and GELU (<c>IntGelu</c>:
/// FFN1's int32 accumulator in, int8 out, constants per column where FFN1 is per channel) with an 8-bit GELU output.
/// Otherwise those run in float on the rounded values.</param>
/// <param name="ClipPercentile">Activation scales from this percentile of |x| on the calibration sentences instead of
/// the maximum (values beyond it saturate), or null for the maximum.</param>
public sealed record QuantScheme(string Name, WeightQuantization Weights, int? ActivationBits, int? ResidualBits, int? FfnInputBits, double? SmoothAlpha = null, bool IntegerUnits = false, double? ClipPercentile = null)
{
    /// <summary>
    /// With <see cref="WeightQuantization.PerTensor"/> weights: the stores that rescale per column (features F1–F3),
    /// whose projections then get per-channel weights. <see cref="WeightQuantization.PerChannel"/> means every store
    /// does (<see cref="PerColumnStores.All"/>).
    /// </summary>
    public PerColumnStores PerColumn { get; init; }

    /// <summary>The GELU output read by FFN2 (FFN2's input operand); by default <see cref="FfnInputBits"/>.</summary>
    public int? GeluOutputBits { get; init; } = FfnInputBits;

    /// <summary>
    /// SmoothQuant strength for the GELU output (feature F3): each GELU output column j is stored at its own scale
    /// (the tensor's scale times s_j = max|H_j|^α / max|W2_j|^(1−α)) and FFN2's row j is multiplied by s_j before it is
    /// rounded. Needs the per-column GELU store (<see cref="PerColumnStores.Gelu"/>) unless the weights stay float.
    /// </summary>
    public double? GeluSmoothAlpha { get; init; }

    /// <summary>
    /// Store the GELU output as asymmetric int8 with a zero point (feature F6): GELU's range [−0.17, max] spread over all
    /// 256 codes instead of the symmetric [−max, max], about one bit finer. FFN2 subtracts it for free: Σⱼ zⱼ·W2ⱼₖ is a
    /// constant folded into FFN2's int32 bias; the GELU store adds z after its requantization.
    /// </summary>
    public bool GeluZeroPoint { get; init; }

    /// <summary>
    /// Form the residual sums as the accelerator does: the output of the output projection and of FFN2 stays in the
    /// int32 accumulator, the LayerNorm unit adds the stored residual (rounded at <see cref="ResidualBits"/>) to it, and
    /// the encoder's output is the last LayerNorm's stored output (also at <see cref="ResidualBits"/>). Off (rows 1–17
    /// of the study): both addends are rounded at <see cref="ResidualBits"/> and the encoder's output stays float.
    /// </summary>
    public bool AccumulatorSums { get; init; }

    /// <summary>The stores that rescale per column, whether spelled by <see cref="Weights"/> or <see cref="PerColumn"/>.</summary>
    public PerColumnStores StoresPerColumn => Weights == WeightQuantization.PerChannel ? PerColumnStores.All : PerColumn;

    /// <summary>How the weights of a projection feeding <paramref name="store"/> are rounded.</summary>
    public WeightQuantization WeightsFor(PerColumnStores store) =>
        Weights == WeightQuantization.Float ? WeightQuantization.Float
        : StoresPerColumn.HasFlag(store) ? WeightQuantization.PerChannel
        : WeightQuantization.PerTensor;

    /// <summary>The float model (no quantization).</summary>
    public static QuantScheme Float { get; } = new("float", WeightQuantization.Float, null, null, null);

    /// <summary>True when any activation is quantized (so calibration is needed).</summary>
    public bool NeedsCalibration => ActivationBits is not null || ResidualBits is not null || FfnInputBits is not null || GeluOutputBits is not null || SmoothAlpha is not null || GeluSmoothAlpha is not null;

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
        Hw("datapath today: per-tensor int8 everywhere, int8 residual and FFN inputs", None, 8, 8),
        Hw("row 18 + SmoothQuant α=0.5", None, 8, 8, 0.5),
        Hw("F4: 16-bit residual", None, 16, 8),
        Hw("F4 + SmoothQuant α=0.5", None, 16, 8, 0.5),
        Hw("F1 + F4 + SmoothQuant α=0.5", F1, 16, 8, 0.5),
        Hw("F2 + F4 + SmoothQuant α=0.5", F2, 16, 8, 0.5),
        Hw("F1 + F2 + F4 + SmoothQuant α=0.5", F1 | F2, 16, 8, 0.5),
        Hw("F1 + F3 + F4 + SmoothQuant α=0.75 + GELU-output smoothing α=0.7", F1 | F3, 16, 8, 0.75, geluAlpha: 0.7),
        Hw("F1 + F2 + F3 + F4 + SmoothQuant α=0.75 (GELU output not smoothed)", All, 16, 8, 0.75),
        Hw("F1 + F2 + F3 + F4 + SmoothQuant α=0.75 + GELU-output smoothing α=0.7", All, 16, 8, 0.75, geluAlpha: 0.7),
        Hw("row 27 + integer Softmax and GELU units", All, 16, 8, 0.75, true, geluAlpha: 0.7),
        Hw("row 27 + F6 (GELU output with a zero point)", All, 16, 8, 0.75, geluAlpha: 0.7) with { GeluZeroPoint = true },
        Hw("row 29 + integer Softmax and GELU units", All, 16, 8, 0.75, true, geluAlpha: 0.7) with { GeluZeroPoint = true },
        Hw("row 30 without F1 (F2 + F3 + F4 + F6)", F2 | F3, 16, 8, 0.75, true, geluAlpha: 0.7) with { GeluZeroPoint = true },
        Hw("row 30 without F4 (int8 residual)", All, 8, 8, 0.75, true, geluAlpha: 0.7) with { GeluZeroPoint = true },
        Hw("row 30 with 99.999th-percentile scales", All, 16, 8, 0.75, true, 99.999, 0.7) with { GeluZeroPoint = true },
        Hw("F1 + F2 + F4 + F6 + SmoothQuant α=0.5 + integer units (no F3)", F1 | F2, 16, 8, 0.5, true) with { GeluZeroPoint = true },
        Hw("F5: F1 + F2 + F4 + 16-bit FFN inputs + SmoothQuant α=0.5 + integer Softmax", F1 | F2, 16, 16, 0.5, true),
        Hw("F5 with F3: F1 + F2 + F3 + F4 + 16-bit FFN inputs + SmoothQuant α=0.75 + integer Softmax", All, 16, 16, 0.75, true),
        Hw("row 30 with a 16-bit GELU output (FFN2 input; GELU in float)", All, 16, 8, 0.75, true, geluAlpha: 0.7) with { GeluOutputBits = 16 },
        Hw("row 30 with GELU-output smoothing α=0.6", All, 16, 8, 0.75, true, geluAlpha: 0.6) with { GeluZeroPoint = true },
        Hw("row 30 with GELU-output smoothing α=0.8", All, 16, 8, 0.75, true, geluAlpha: 0.8) with { GeluZeroPoint = true },
        Hw("row 30 with SmoothQuant α=0.5", All, 16, 8, 0.5, true, geluAlpha: 0.7) with { GeluZeroPoint = true },
    ];

    /// <summary>
    /// The recommended datapath (docs/numerics.md): int8 operands only, per-column stores (F1–F3), 16-bit residual
    /// (F4), GELU output with a zero point (F6), SmoothQuant on the LayerNorm outputs and the GELU output, the integer
    /// Softmax and GELU units. Row 30 of the table.
    /// </summary>
    public static QuantScheme Recommended => Study[29];

    private const PerColumnStores None = PerColumnStores.None;
    private const PerColumnStores F1 = PerColumnStores.Requantize;
    private const PerColumnStores F2 = PerColumnStores.LayerNormInput;
    private const PerColumnStores F3 = PerColumnStores.Gelu;
    private const PerColumnStores All = PerColumnStores.All;

    /// <summary>A row on the accelerator's datapath (<see cref="AccumulatorSums"/>): int8 weights, per channel where
    /// <paramref name="stores"/> rescale per column; int8 attention operands.</summary>
    private static QuantScheme Hw(string name, PerColumnStores stores, int residualBits, int ffnInputBits, double? alpha = null, bool integer = false, double? clip = null, double? geluAlpha = null) =>
        new(name, WeightQuantization.PerTensor, 8, residualBits, ffnInputBits, alpha, integer, clip)
        {
            PerColumn = stores,
            GeluSmoothAlpha = geluAlpha,
            AccumulatorSums = true,
        };

    /// <summary>The most accurate row of the study's first part (row 14: per-channel int8 weights, int8 attention operands with the integer Softmax unit, 16-bit residual stream and FFN inputs, SmoothQuant); its 16-bit FFN operands cost about 1.66 int8 passes per MAC.</summary>
    public static QuantScheme Best => Study[13]; // row 14 of the table
}
