namespace HwGen.Tests.CommandLine;

/// <summary>
/// Tests that run the CLI inside the test process. They redirect the console and change the
/// working folder, which are process-wide, so this collection runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliGroup
{
    /// <summary>The collection's name.</summary>
    public const string Name = "CLI in-process";
}
