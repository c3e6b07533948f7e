using HwGen.Software.Programs;

namespace HwGen.Verif;

/// <summary>A program and run settings with a fault put in (<see cref="FaultInjection.Apply"/>).</summary>
/// <param name="Program">The program to run (a changed copy when the fault changes an instruction word).</param>
/// <param name="Options">The run settings (with the SLVERR range when the fault is one).</param>
/// <param name="Description">What was changed, for progress lines and failure reports.</param>
public sealed record InjectedFault(CompiledProgram Program, CosimOptions Options, string Description);
