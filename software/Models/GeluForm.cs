namespace HwGen.Models;

/// <summary>How the model's GELU is written (the float reference follows it exactly).</summary>
public enum GeluForm
{
    /// <summary><c>x·½(1 + erf(x/√2))</c>.</summary>
    Erf,

    /// <summary><c>x·½(1 + tanh(√(2/π)(x + 0.044715x³)))</c>.</summary>
    Tanh,
}
