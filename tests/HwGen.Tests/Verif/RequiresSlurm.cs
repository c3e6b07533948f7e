using CliWrap;
using CliWrap.Buffered;
using HwGen.Verif.Jobs;

namespace HwGen.Tests.Verif;

/// <summary>
/// Gate for tests that submit to a real Slurm: they skip without a node that answers, but fail when <c>CI=true</c>,
/// where <c>.ci/run</c> must have started one (<c>.ci/slurm.sh start</c>).
/// </summary>
public static class RequiresSlurm
{
    /// <summary>Skips (locally) or fails (CI) unless the Slurm tools are on PATH and a node is up.</summary>
    public static async Task Check()
    {
        var reason = !SlurmJobRunner.Available
            ? "Slurm is not installed (apt-get install -y slurm-wlm munge)"
            : (await Cli.Wrap("sinfo").WithArguments(["-h", "-o", "%T"]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync())
                is { ExitCode: 0 } r && r.StandardOutput.Trim().Length > 0 && !r.StandardOutput.Contains("down", StringComparison.Ordinal)
                ? null
                : "no Slurm node answers (start one as root with .ci/slurm.sh start)";
        if (reason is not null)
        {
            Assert.False(RequiresVerilator.InCi, $"CI=true but {reason}; .ci/run must start Slurm.");
            Skip.If(true, reason);
        }
    }
}
