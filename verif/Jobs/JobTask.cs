namespace HwGen.Verif.Jobs;

/// <summary>One command of a <see cref="JobBatch"/>: a program, its arguments and the folder it runs in.</summary>
/// <param name="Program">The executable (a path, or a name looked up on PATH).</param>
/// <param name="Arguments">Its arguments, passed as they are (the batch quotes them for the shell).</param>
/// <param name="WorkingDirectory">The folder it runs in (absolute).</param>
public sealed record JobTask(string Program, IReadOnlyList<string> Arguments, string WorkingDirectory);
