namespace HwGen.Software.Numerics;

/// <summary>
/// The store path's requantization parameters (the fields of <c>config_store</c>):
/// <c>out = sat8(round_half_up(acc * Multiplier / 2^Shift))</c>, then <c>max(out, 0)</c> when <see cref="Relu"/>.
/// </summary>
/// <param name="Multiplier">Multiplier, 0..2^31-1.</param>
/// <param name="Shift">Right shift, 0..62.</param>
/// <param name="Relu">Clamp negative outputs to zero.</param>
public sealed record Requantization(long Multiplier, int Shift, bool Relu)
{
    /// <summary>The identity-like reset value of the store unit: multiplier 1, shift 0, no ReLU (plain int8 saturation).</summary>
    public static Requantization Reset { get; } = new(1, 0, false);

    /// <summary>True when the parameters are inside the ranges the hardware accepts.</summary>
    public bool IsValid => Multiplier is >= 0 and <= Requantizer.MaxMultiplier && Shift is >= 0 and <= Requantizer.MaxShift;

    /// <summary>Requantizes one accumulator value.</summary>
    public sbyte Apply(int acc) => Requantizer.Apply(acc, Multiplier, Shift, Relu);

    /// <summary>The real scale <c>Multiplier * 2^-Shift</c> this pair represents.</summary>
    public double RealScale => Multiplier * Math.Pow(2, -Shift);
}
