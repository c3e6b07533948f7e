namespace HwGen.Verif;

/// <summary>Names of <see cref="ExecCause"/> values in the harness profile, JSON reports and plots.</summary>
public static class ExecCauses
{
    /// <summary>Every cause, in column order.</summary>
    public static IReadOnlyList<ExecCause> All { get; } = Enum.GetValues<ExecCause>();

    /// <summary>The array-idle causes (every cause but <see cref="ExecCause.ArrayActive"/>), in column order.</summary>
    public static IReadOnlyList<ExecCause> Idle { get; } = All.Where(c => c != ExecCause.ArrayActive).ToArray();

    /// <summary>The snake_case name used in the profile file and in JSON (e.g. <c>array_active</c>).</summary>
    public static string Key(ExecCause cause) => cause switch
    {
        ExecCause.ArrayActive => "array_active",
        ExecCause.Pipeline => "pipeline",
        ExecCause.Load => "load",
        ExecCause.Store => "store",
        ExecCause.Normalize => "normalize",
        ExecCause.Fetch => "fetch",
        ExecCause.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(cause), cause, "unknown cause"),
    };

    /// <summary>A short label for tables and plot legends.</summary>
    public static string Label(ExecCause cause) => cause switch
    {
        ExecCause.ArrayActive => "array busy",
        ExecCause.Pipeline => "preload/pipeline",
        ExecCause.Load => "load/DMA",
        ExecCause.Store => "store drain",
        ExecCause.Normalize => "normalize",
        ExecCause.Fetch => "fetch/queue empty",
        ExecCause.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(cause), cause, "unknown cause"),
    };
}
