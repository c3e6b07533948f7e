using HwGen.Verif;

namespace HwGen.Tests.Verif;

/// <summary>
/// Gate for tests that need Verilator: they skip on a machine without it, but fail when
/// <c>CI=true</c>, so a CI image that lost its Verilator cannot pass silently.
/// </summary>
public static class RequiresVerilator
{
    /// <summary>True when CI=true is set.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (locally) or fails (CI) when Verilator is missing.</summary>
    public static void Check()
    {
        if (Toolchain.IsVerilatorAvailable())
        {
            return;
        }

        Assert.False(InCi, "CI=true but Verilator is not installed; CI must install the Debian package `verilator`.");
        Skip.If(true, "Verilator is not installed (apt-get install verilator); co-simulation tests skipped.");
    }
}
