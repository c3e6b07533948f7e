using System.CommandLine;

namespace HwGen.Cli;

/// <summary>The <c>sim</c> command: compile a workload, co-simulate it, compare with the golden model.</summary>
internal static class SimCommand
{
    public static Command Create(string[] args)
    {
        _ = args;
        var cmd = new Command("sim", "Co-simulate a workload on the generated RTL and compare bit for bit with the golden model.");
        return cmd;
    }
}
