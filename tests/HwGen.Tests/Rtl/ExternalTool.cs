using HwGen.Verif;

namespace HwGen.Tests.Rtl;

/// <summary>
/// Gate for tests that need an external tool: they skip on a laptop without it, but fail when
/// CI=true, because CI must install every tool and a skipped check there is a silent hole.
/// </summary>
public static class ExternalTool
{
    /// <summary>Returns the tool's path, skipping (or failing under CI) when it is absent.</summary>
    public static string Require(string name, string debianPackage)
    {
        var path = Toolchain.FindOnPath(name);
        if (path is not null)
        {
            return path;
        }

        var message = $"{name} is not installed (apt-get install -y {debianPackage})";
        if (HwGen.Tests.Verif.RequiresVerilator.InCi)
        {
            Assert.Fail(message + "; CI must install it, so this test fails instead of skipping.");
        }

        Skip.If(true, message);
        return string.Empty;
    }
}
